"""Knowledge-base articles for the default seed (plain text, written to be read aloud)."""

from __future__ import annotations

from typing import TypedDict


class ArticleText(TypedDict):
    id: str
    title: str
    body: str
    tags: list[str]


ARTICLES: list[ArticleText] = [
    {
        "id": "KB1",
        "title": "Router keeps disconnecting",
        "body": (
            "Unplug the router for 30 seconds, plug it back in and wait two minutes until the "
            "Wi-Fi light is solid. "
            "1. Check that the power cable and the cable from the modem are firmly seated. "
            "2. Move the router off the floor and away from microwaves, cordless phones and "
            "metal shelves, which cause dropouts. "
            "3. Open the router app, go to Settings > Firmware and install any update. "
            "4. If only one device drops, forget the network on that device and join it again. "
            "5. If every device drops at the same moment, look at the modem's Online light: if it "
            "blinks when the drop happens, the problem is the line, not the router, and a repair "
            "visit may be needed. "
            "6. Still dropping after all this? Note the times it happens and contact support so "
            "we can read the router's log."
        ),
        "tags": ["wifi", "router"],
    },
    {
        "id": "KB2",
        "title": "Wi-Fi is slow",
        "body": (
            "1. Run a speed test at speedtest.net on a device close to the router, then on a "
            "computer plugged in with an Ethernet cable. If the wired test is fast, the line is "
            "fine and the slowdown is Wi-Fi. "
            "2. Restart the router: unplug it for 30 seconds. "
            "3. Use the 5 GHz network for phones and laptops in the same room or the next one; "
            "2.4 GHz reaches farther but is slower. "
            "4. Pause large downloads, cloud backups and game updates, which can fill the line. "
            "5. In the router app, under Wi-Fi > Channel, choose Auto so the router avoids "
            "neighbours' channels. "
            "6. If the wired speed is also well below your plan's speed, restart the modem too and "
            "test again; if it stays slow, contact support with the test results."
        ),
        "tags": ["wifi", "speed", "slow", "internet"],
    },
    {
        "id": "KB3",
        "title": "What the modem lights mean",
        "body": (
            "Power: solid green means the modem is on; off means check the outlet and the power "
            "cable. "
            "Downstream and Upstream: blinking means the modem is looking for a signal; solid "
            "means it found one. "
            "Online: solid means you are connected to the internet; blinking for more than five "
            "minutes means the modem cannot register, so check the coaxial cable is screwed in "
            "finger-tight at the wall and at the modem, then restart the modem. "
            "Ethernet or LAN: lit when a router or computer is plugged in; blinking shows traffic. "
            "All lights blinking together: the modem is updating its firmware. Do not unplug it; "
            "this takes up to ten minutes. "
            "A red or orange light on Online after a restart usually means a line problem or an "
            "outage in your area: contact support."
        ),
        "tags": ["modem", "lights", "internet"],
    },
    {
        "id": "KB4",
        "title": "No internet connection",
        "body": (
            "1. Check whether other devices are online. If only one device is offline, restart "
            "that device. "
            "2. Look at the modem's Online light. If it is off or blinking, restart the modem: "
            "unplug it for 30 seconds, plug it back in, and wait up to five minutes. "
            "3. Once the modem's Online light is solid, restart the router the same way. "
            "4. Make sure the cable between the modem and the router's WAN or Internet port is "
            "plugged in at both ends. "
            "5. Check for an outage: our status page and the automated line at the start of a "
            "support call both list known outages by ZIP code. "
            "6. If the modem never gets a solid Online light, we can test the line remotely and "
            "book a repair visit."
        ),
        "tags": ["internet", "modem", "outage", "offline"],
    },
    {
        "id": "KB5",
        "title": "Change or reset your Wi-Fi password",
        "body": (
            "1. Open the router app, or go to 192.168.1.1 in a browser on a device connected to "
            "the router, and sign in with the admin password on the sticker under the router. "
            "2. Go to Wi-Fi > Security. "
            "3. Enter a new password of at least 12 characters; WPA2/WPA3 should be selected. "
            "4. Save. Every device disconnects and must join again with the new password. "
            "5. If you cannot sign in to the router, the sticker password may have been changed: "
            "a factory reset restores it (see Factory reset the router), but also erases your "
            "network name and settings."
        ),
        "tags": ["wifi", "password", "security"],
    },
    {
        "id": "KB6",
        "title": "Can't log in to the billing portal",
        "body": (
            "1. Sign in with the email address on your account, not your Wi-Fi name. "
            "2. Choose Forgot password on the sign-in page; the reset link arrives within five "
            "minutes and expires after one hour. Check your spam folder. "
            "3. After five failed attempts the account locks for 15 minutes; wait, then use the "
            "reset link rather than guessing again. "
            "4. Clear the browser's cookies for the billing site, or try a private window. "
            "5. If the email address on the account is out of date, support can update it after "
            "verifying your identity with your billing ZIP code."
        ),
        "tags": ["billing", "account", "login", "password"],
    },
    {
        "id": "KB7",
        "title": "Connect a new device to Wi-Fi",
        "body": (
            "1. On the device, open Wi-Fi settings and pick your network name, which is printed "
            "on the router's sticker unless you changed it. "
            "2. Type the Wi-Fi password carefully; it is case sensitive. "
            "3. Printers and TVs without a keyboard can use WPS: press the WPS button on the "
            "router, then within two minutes choose WPS on the device. "
            "4. If the device says it cannot connect, turn its Wi-Fi off and on, or forget the "
            "network and try again. "
            "5. Smart-home devices often need the 2.4 GHz network; see Smart home device won't "
            "connect. "
            "6. The router app lists connected devices under Devices, so you can check it joined."
        ),
        "tags": ["wifi", "devices", "pairing", "wps"],
    },
    {
        "id": "KB8",
        "title": "Update the router firmware",
        "body": (
            "Firmware updates fix bugs, dropouts and security problems. "
            "1. Open the router app and go to Settings > Firmware. "
            "2. Choose Check for updates; if one is available, choose Install. "
            "3. The router restarts and the internet is down for about five minutes. Do not "
            "unplug the router while the light blinks. "
            "4. Turn on Automatic updates on the same page so future updates install overnight. "
            "5. Mesh systems update every node together; keep all nodes plugged in. "
            "6. If an update fails twice, restart the router and try again, then contact support."
        ),
        "tags": ["router", "firmware", "update"],
    },
    {
        "id": "KB9",
        "title": "Mesh node offline",
        "body": (
            "1. Check the node has power: its light should be on. Try a different outlet, and "
            "avoid power strips with a switch. "
            "2. Move the node closer to the main router, no more than two rooms away, with few "
            "walls between them. Halfway between the router and the dead zone works best. "
            "3. Restart the node by unplugging it for 30 seconds. "
            "4. In the router app, under Mesh > Nodes, the node should show Online within three "
            "minutes. If it shows Poor connection, move it closer. "
            "5. Still offline? Remove it in the app and add it again with Add node, holding the "
            "node's reset button for 10 seconds first. "
            "6. Nodes bought separately must run the same firmware: update the system."
        ),
        "tags": ["mesh", "wifi", "node", "router"],
    },
    {
        "id": "KB10",
        "title": "Set up port forwarding",
        "body": (
            "Port forwarding lets games, cameras and servers accept connections from outside. "
            "1. Give the device a fixed address: in the router app, Devices > the device > "
            "Reserve IP address. "
            "2. Go to Advanced > Port forwarding and choose Add rule. "
            "3. Pick the device, enter the port or port range, and choose TCP, UDP or both as the "
            "game or device maker says. "
            "4. Save, then restart the device. "
            "5. If it still does not work, check that you do not have a second router behind "
            "ours, and that the modem is in bridge mode if you use your own router. "
            "Forward only the ports you need; open ports are a security risk."
        ),
        "tags": ["router", "port-forwarding", "gaming", "advanced"],
    },
    {
        "id": "KB11",
        "title": "Set up parental controls",
        "body": (
            "1. Open the router app and go to Family > Profiles. "
            "2. Create a profile for each person and assign their devices to it. "
            "3. Choose a filter level: Child, Teen or Adult. The filter blocks adult sites and "
            "can enforce SafeSearch. "
            "4. Add a schedule, for example no internet from 9 pm to 7 am on school nights. "
            "5. Use Pause on a profile to stop internet for its devices right away. "
            "6. Controls follow the device, so a phone on mobile data is not covered; use the "
            "phone's own screen-time settings too."
        ),
        "tags": ["parental-controls", "router", "schedule", "family"],
    },
    {
        "id": "KB12",
        "title": "Turn on the guest network",
        "body": (
            "A guest network gives visitors internet without access to your computers, printers "
            "or cameras. "
            "1. Open the router app and go to Wi-Fi > Guest network. "
            "2. Turn it on, choose a name such as Home-Guest, and set a password of at least "
            "8 characters. "
            "3. Optionally set it to switch off after 24 hours or a week. "
            "4. Share the QR code from the same page so guests can join by pointing their camera. "
            "5. Smart-home devices should stay on the main network so your phone can control them."
        ),
        "tags": ["wifi", "guest", "security"],
    },
    {
        "id": "KB13",
        "title": "Change DNS servers",
        "body": (
            "If websites fail to load while the connection is up, or load slowly at first, a "
            "different DNS server can help. "
            "1. Open the router app and go to Advanced > Internet > DNS. "
            "2. Switch from Automatic to Custom. "
            "3. Enter a primary and secondary server, for example 1.1.1.1 and 1.0.0.1, or "
            "8.8.8.8 and 8.8.4.4. "
            "4. Save and restart the router so every device picks up the change. "
            "5. To undo it, choose Automatic again. Parental-control filtering needs the "
            "router's own DNS, so custom DNS turns that filtering off."
        ),
        "tags": ["dns", "internet", "router", "advanced"],
    },
    {
        "id": "KB14",
        "title": "Wired Ethernet connection not working",
        "body": (
            "1. Check both ends of the cable click into place, and that the port's light comes "
            "on. Try another port on the router. "
            "2. Try a different cable; damaged or very old cables are the most common cause. "
            "Use Cat5e or Cat6 for gigabit speed. "
            "3. Restart the computer, and on Windows run the network troubleshooter; on a Mac, "
            "check System Settings > Network shows Ethernet as connected. "
            "4. If the computer shows a 169.254 address, it is not getting an address from the "
            "router: restart the router. "
            "5. Powerline adapters must be plugged straight into the wall, not a power strip, "
            "and on the same electrical circuit."
        ),
        "tags": ["ethernet", "wired", "cable", "internet"],
    },
    {
        "id": "KB15",
        "title": "Factory reset the router",
        "body": (
            "A factory reset erases your Wi-Fi name, password and all settings. Try a restart "
            "first. "
            "1. With the router on, press and hold the recessed Reset button with a paper clip "
            "for 10 seconds, until the light blinks. "
            "2. Wait about five minutes for it to restart. "
            "3. Join the Wi-Fi network printed on the router's sticker, with the password on the "
            "sticker. "
            "4. Open the router app and run setup again. Reuse your old network name and "
            "password so your devices reconnect on their own. "
            "5. Re-create any port forwarding, parental controls and guest network."
        ),
        "tags": ["router", "reset", "factory-reset"],
    },
    {
        "id": "KB16",
        "title": "Understand your bill and payment options",
        "body": (
            "Your bill shows your plan charge for the coming month, any equipment rental, taxes, "
            "and one-time charges such as installation. "
            "1. Payments are due on the date on your bill; after 10 days the account is past due "
            "and a late fee may apply. "
            "2. After 30 days past due, service may be suspended until the balance is paid. "
            "3. Pay in the billing portal with a card or bank account, or set up AutoPay to avoid "
            "late fees. "
            "4. Plan changes take effect on the next bill; mid-month changes are prorated. "
            "5. If a charge looks wrong, support can explain it line by line and open a billing "
            "review."
        ),
        "tags": ["billing", "payment", "account", "late-fee"],
    },
    {
        "id": "KB17",
        "title": "Track your order",
        "body": (
            "1. Your shipping confirmation email has the carrier and tracking number; support can "
            "also read it to you from the order number. "
            "2. Orders usually ship within two business days and arrive three to five business "
            "days after that. "
            "3. Out for delivery means it arrives today, normally by 8 pm. "
            "4. Delivery attempted means the carrier could not leave the package; it will try "
            "again the next business day, or you can pick it up at the carrier's location. "
            "5. If tracking says delivered but you do not have it, check with neighbours and "
            "around the building, then contact us within 7 days."
        ),
        "tags": ["orders", "shipping", "tracking", "delivery"],
    },
    {
        "id": "KB18",
        "title": "Return or get a refund for an order",
        "body": (
            "1. Delivered orders can be returned for a refund within 30 days of the order date. "
            "2. Refunds up to 100 dollars can be approved right away on a support call; larger "
            "refunds are reviewed by our team within two business days. "
            "3. Refunds go back to the original payment method and take three to five business "
            "days to appear. "
            "4. Orders that have not shipped yet can be cancelled instead, for a full refund. "
            "5. Keep the original box and accessories; we email a prepaid return label."
        ),
        "tags": ["orders", "refund", "returns"],
    },
    {
        "id": "KB19",
        "title": "Prepare for an installation appointment",
        "body": (
            "1. Someone 18 or older must be home for the whole appointment window, which is two "
            "hours for installation. "
            "2. Clear a path to the spot where the modem and router will go, near a cable outlet "
            "and a power outlet, and central in the home if you can. "
            "3. Have your Wi-Fi name and password ideas ready; the technician sets them up with "
            "you. "
            "4. The technician calls 30 minutes before arriving. "
            "5. To move the appointment, call support or use the link in your confirmation "
            "email at least 24 hours ahead."
        ),
        "tags": ["appointments", "installation", "technician"],
    },
    {
        "id": "KB20",
        "title": "Smart home device won't connect to Wi-Fi",
        "body": (
            "Many plugs, bulbs and cameras only work on 2.4 GHz Wi-Fi. "
            "1. Stand near the router while setting the device up. "
            "2. In the router app, go to Wi-Fi and turn on Separate 2.4 GHz network for the "
            "setup; join your phone to that network too. "
            "3. Put the device in pairing mode, usually by holding its button until the light "
            "blinks quickly, then add it in the maker's app. "
            "4. After setup you can turn the separate network off; the device stays connected. "
            "5. Wi-Fi passwords with unusual symbols confuse some devices; letters and numbers "
            "are safest."
        ),
        "tags": ["wifi", "smart-home", "2.4ghz", "devices", "pairing"],
    },
]
