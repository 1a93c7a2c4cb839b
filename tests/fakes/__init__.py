"""Local servers that speak vendor wire protocols, so real SDKs can be tested without the network."""
