"""Four businesses unlike the default seed's router shop, for the acceptance sets.

`TUNE` (an audio-electronics shop) is the business engineers look at while
developing; `DEV` (a home-services company) was the held-out set until the
offline brain was fixed by reading its failures, so it is now a second
development set; `HELDOUT` (a bike shop with repair bookings) is only ever
measured, never read for failures to fix. They share no id scheme, product,
service, article, time zone or refund policy with each other or with
`sandbox/seed.json`, so a product that assumed any of those shapes fails here.
Articles carry what a caller would say about them (`symptoms`) and, for general
questions, the fact an answer must contain (`fact`); those stay out of the seed
file (the agent must not see the test's wording) and are read by the benchmark
from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticleSpec:
    """A help-center article and how callers ask about it."""

    title: str
    body: str
    tags: tuple[str, ...]
    symptoms: tuple[str, ...]  # what a caller says, in their words
    fact: str = ""  # general questions: the words an answer must contain
    kind: str = "troubleshooting"  # or "general"


@dataclass(frozen=True)
class Profile:
    """Everything that makes one business different from another."""

    key: str
    name: str
    utc_offset: str  # winter offset of the business's time zone
    as_of: str
    # (area code, ZIPs of that area): a customer's phone and ZIP agree.
    areas: tuple[tuple[str, tuple[str, ...]], ...]
    catalog: tuple[tuple[str, int], ...]
    multi_qty: frozenset[str]
    statuses: dict[str, int]  # order status -> how many orders
    carriers: tuple[str, ...]
    plans: tuple[str, ...]
    customer_statuses: dict[str, int]  # non-active statuses -> count
    services: dict[str, tuple[int, ...]]  # service -> start hours
    appointments_per_service: int
    slots_per_service: int
    first_service_day: str
    service_days: int
    closed_weekdays: frozenset[int]
    window_days: int
    auto_approve_max_cents: int
    articles: tuple[ArticleSpec, ...]
    email_domains: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


_AUDIO_ARTICLES = (
    ArticleSpec(
        "Earbuds will not pair",
        "Put both earbuds in the charging case and close the lid for ten seconds. "
        "1. Open the lid and hold the button on the back of the case for five seconds until the light "
        "flashes white. "
        "2. On your phone, open Bluetooth settings, forget any old Tidewave entry and tap the earbuds "
        "when they appear. "
        "3. If they still do not show up, charge the case for thirty minutes and try again. "
        "4. Still not pairing? Hold the case button for fifteen seconds to reset the earbuds to factory "
        "settings, then pair again.",
        ("earbuds", "bluetooth", "pairing"),
        (
            "my earbuds won't pair with my phone",
            "the earbuds don't show up in bluetooth",
            "I can't get my earbuds to connect",
            "my phone can't find the earbuds",
        ),
    ),
    ArticleSpec(
        "Soundbar has no sound from the TV",
        "Check that the HDMI cable goes to the port marked ARC on both the TV and the soundbar. "
        "1. In the TV's audio settings, set the speaker output to external or HDMI ARC. "
        "2. Turn HDMI-CEC on in the TV settings; some brands call it Anynet, Simplink or Bravia Sync. "
        "3. Unplug the soundbar for one minute, plug it in, and press the input button until the "
        "display says TV. "
        "4. If there is still no sound, connect the optical cable instead of HDMI and pick optical "
        "as the input.",
        ("soundbar", "tv", "hdmi", "audio"),
        (
            "there's no sound coming from my soundbar",
            "my soundbar is silent when I watch TV",
            "the TV won't play through the soundbar",
            "I hooked up the soundbar and I get no audio",
        ),
    ),
    ArticleSpec(
        "Headphones keep cutting out",
        "Keep your phone within ten meters of the headphones, with no walls in between. "
        "1. Turn Bluetooth off and on again on your phone. "
        "2. Switch off Wi-Fi on the phone for a minute to rule out interference. "
        "3. Update the headphones in the Tidewave app under Device, Firmware. "
        "4. If the sound still drops, reset the headphones by holding the power and volume down "
        "buttons for ten seconds.",
        ("headphones", "bluetooth", "dropouts"),
        (
            "my headphones keep dropping out",
            "the audio on my headphones keeps stuttering",
            "sound keeps cutting in and out on my headphones",
        ),
    ),
    ArticleSpec(
        "Turntable plays too fast or too slow",
        "Check that the speed switch matches the record: 33 for albums, 45 for singles. "
        "1. Make sure the belt sits on the outer rim of the platter and the motor pulley. "
        "2. Clean the belt and pulley with a dry cloth. "
        "3. If the pitch is still off, replace the belt; a spare comes in the box.",
        ("turntable", "vinyl", "speed"),
        (
            "my record player spins at the wrong speed",
            "records sound too fast on my turntable",
            "the turntable plays everything slow",
        ),
    ),
    ArticleSpec(
        "Speaker will not turn on",
        "Plug the speaker into the charger that came with it and leave it for two hours. "
        "1. Hold the power button for three full seconds; a short press does nothing. "
        "2. Try a different wall outlet and cable. "
        "3. If the light never comes on, hold power and play together for twenty seconds to reset.",
        ("speaker", "power", "battery"),
        (
            "my portable speaker is dead and won't power on",
            "the speaker won't switch on",
            "nothing happens when I press power on my speaker",
        ),
    ),
    ArticleSpec(
        "Support hours",
        "Our phone support is open Monday to Saturday, 8 am to 8 pm Eastern time. "
        "Chat is open every day from 9 am to 9 pm.",
        ("hours", "contact", "support"),
        (
            "what are your support hours",
            "when is customer service open",
            "what time can I call you guys",
        ),
        fact="8 am to 8 pm",
        kind="general",
    ),
    ArticleSpec(
        "Countries we ship to",
        "We ship to the United States, Canada and Mexico. Shipping to Canada takes five to eight "
        "business days.",
        ("shipping", "international", "countries"),
        (
            "do you ship to Canada",
            "which countries do you ship to",
            "can I get an order sent to Mexico",
        ),
        fact="Canada",
        kind="general",
    ),
    ArticleSpec(
        "Warranty",
        "Every Tidewave product has a two-year warranty from the date of delivery. It covers defects, "
        "not drops or water damage.",
        ("warranty", "guarantee"),
        (
            "how long is the warranty",
            "what does your warranty cover",
            "is my stuff under warranty",
        ),
        fact="two-year warranty",
        kind="general",
    ),
    ArticleSpec(
        "Returns",
        "You can return anything within 45 days of delivery for a refund to the original payment "
        "method. Print a free return label from your order page.",
        ("returns", "return", "label"),
        (
            "what's your return policy",
            "how many days do I have to send something back",
            "how do returns work",
        ),
        fact="45 days",
        kind="general",
    ),
)

_HOME_ARTICLES = (
    ArticleSpec(
        "Water heater has no hot water",
        "Check the breaker marked water heater in your electrical panel and reset it if it tripped. "
        "1. For a gas heater, look through the window at the bottom: if the pilot flame is out, "
        "follow the relight steps printed on the tank. "
        "2. Set the thermostat dial on the tank to 120 degrees. "
        "3. Wait one hour for the tank to heat up before running a tap. "
        "4. If the water is still cold, shut the gas or power off and book a repair visit.",
        ("water-heater", "plumbing", "hot-water"),
        (
            "I've got no hot water at all",
            "the shower only runs cold since this morning",
            "my water heater stopped making hot water",
        ),
    ),
    ArticleSpec(
        "Thermostat screen is blank",
        "Take the thermostat off its wall plate and replace the two AA batteries. "
        "1. Check the furnace switch, which looks like a light switch near the furnace, is on. "
        "2. Reset the breaker for the furnace or air handler. "
        "3. If the screen stays blank, check the small fuse on the furnace control board or book a "
        "visit.",
        ("thermostat", "heating", "hvac"),
        (
            "the display on my thermostat went dark",
            "my thermostat is totally blank",
            "nothing shows on the thermostat anymore",
        ),
    ),
    ArticleSpec(
        "Garbage disposal hums but does not spin",
        "Switch the disposal off at the wall. "
        "1. Put the hex key that came with it into the hole under the unit and work it back and forth "
        "to free the blades. "
        "2. Press the red reset button under the unit. "
        "3. Run cold water and switch it back on. "
        "4. If it still only hums, do not keep trying: the motor may burn out. Book a plumber.",
        ("disposal", "kitchen", "plumbing"),
        (
            "my sink disposal just buzzes and won't grind",
            "the garbage disposal is jammed",
            "the disposal makes a humming noise but nothing turns",
        ),
    ),
    ArticleSpec(
        "Air conditioner blows warm air",
        "Set the thermostat to cool and at least three degrees below the room temperature. "
        "1. Replace the air filter if it is grey or clogged. "
        "2. Check that the outdoor unit's fan is turning and nothing blocks it. "
        "3. Reset the outdoor unit's breaker. "
        "4. If the air is still warm after thirty minutes, book a cooling repair visit.",
        ("air-conditioning", "cooling", "hvac"),
        (
            "my AC is only blowing warm air",
            "the air conditioning isn't cooling the house",
            "warm air comes out of the vents when the AC runs",
        ),
    ),
    ArticleSpec(
        "Smoke alarm keeps chirping",
        "A chirp every minute means the battery is low. "
        "1. Replace the nine-volt battery and press the test button. "
        "2. If it still chirps, hold test for twenty seconds to clear the memory. "
        "3. Alarms older than ten years must be replaced; the date is on the back.",
        ("smoke-alarm", "safety", "electrical"),
        (
            "my smoke detector won't stop beeping",
            "the smoke alarm chirps every minute",
            "there's a chirping alarm in the hallway",
        ),
    ),
    ArticleSpec(
        "Office hours",
        "Our office answers the phone Monday to Friday, 7 am to 6 pm Mountain time, and "
        "Saturday 8 am to noon. Emergency plumbing is available around the clock.",
        ("hours", "office", "contact"),
        (
            "what times is your office open",
            "are you open on Saturdays",
            "until what time can I reach someone",
        ),
        fact="7 am to 6 pm",
        kind="general",
    ),
    ArticleSpec(
        "Areas we serve",
        "We serve the Denver metro area, Boulder, Colorado Springs and Phoenix. We do not send "
        "technicians outside these areas.",
        ("service-area", "coverage", "locations"),
        (
            "do you guys come out to Boulder",
            "what cities do you cover",
            "which areas do you send technicians to",
        ),
        fact="Boulder",
        kind="general",
    ),
    ArticleSpec(
        "Workmanship guarantee",
        "All repairs carry a one-year workmanship guarantee. Parts carry the manufacturer's own warranty.",
        ("guarantee", "warranty", "repairs"),
        (
            "do you guarantee your repairs",
            "what if the fix doesn't hold",
            "how long are repairs guaranteed for",
        ),
        fact="one-year",
        kind="general",
    ),
    ArticleSpec(
        "Cancelling a visit",
        "Cancel or move a visit free of charge up to 24 hours before it starts. Later cancellations "
        "cost a 49 dollar trip fee.",
        ("cancellation", "fees", "appointments"),
        (
            "is there a fee if I cancel a visit",
            "what happens if I cancel last minute",
            "do you charge for cancelling",
        ),
        fact="24 hours",
        kind="general",
    ),
)

TUNE = Profile(
    key="audio",
    name="Tidewave Audio",
    utc_offset="-05:00",
    as_of="2027-01-12",
    areas=(
        ("404", ("30303", "30308", "30309", "30312", "30318")),
        ("617", ("02108", "02118", "02134", "02143")),
        ("305", ("33125", "33131", "33139", "33145")),
        ("704", ("28202", "28203", "28205", "28209")),
        ("919", ("27601", "27603", "27605", "27607")),
    ),
    catalog=(
        ("Tidewave Buds Pro earbuds", 17900),
        ("Tidewave Buds Lite earbuds", 7900),
        ("Over-ear noise cancelling headphones", 29900),
        ("Studio monitor headphones", 14900),
        ("Soundbar 5.1 with subwoofer", 49900),
        ("Compact soundbar", 19900),
        ("Portable Bluetooth speaker", 8900),
        ("Waterproof shower speaker", 3900),
        ("Belt-drive turntable", 34900),
        ("Phono preamp", 12900),
        ("Bookshelf speakers (pair)", 39900),
        ("Earbud ear tips (3 sizes)", 1500),
        ("USB-C charging cable", 1200),
        ("Headphone stand", 2900),
        ("Replacement turntable belt", 1800),
    ),
    multi_qty=frozenset({"Earbud ear tips (3 sizes)", "USB-C charging cable", "Replacement turntable belt"}),
    statuses={
        "unfulfilled": 10,
        "processing": 8,
        "on_hold": 8,
        "shipped": 14,
        "in_transit": 10,
        "delayed": 9,
        "out_for_delivery": 8,
        "delivered": 40,
        "returned": 8,
        "partially_refunded": 8,
        "cancelled": 8,
        "refunded": 8,
    },
    carriers=("FedEx", "UPS", "DHL"),
    plans=("Tidewave Club", "Standard", "Tidewave Club Plus"),
    customer_statuses={"past_due": 4, "on_hold": 2, "closed": 3},
    services={"headphone repair": (10, 12, 14, 16), "home theater setup": (9, 11, 13, 15, 17)},
    appointments_per_service=14,
    slots_per_service=60,
    first_service_day="2027-01-13",
    service_days=24,
    closed_weekdays=frozenset({6}),
    window_days=45,
    auto_approve_max_cents=15000,
    articles=_AUDIO_ARTICLES,
    email_domains=("example.com", "example.org", "inbox.example.net"),
    first_names=tuple(
        "Abigail Brandon Colette Dmitri Everett Farah Giovanni Harriet Imani Jasper Katarina Leon Maeve "
        "Nikolai Odette Percy Quinn Rosalind Stellan Thea Ulrich Vivian Winston Xiomara Yusuf Zelda "
        "Bianca Cormac Delphine Emeka".split()
    ),
    last_names=tuple(
        "Abernathy Bancroft Castellano Delacroix Eriksen Fairbanks Galloway Holloway Iwasaki Jablonski "
        "Kincaid Lindqvist Montague Nakashima Oyelaran Pemberton Quintero Rasmussen Sorensen Thornbury"
        "".split()
    ),
)

DEV = Profile(
    key="home",
    name="Brightline Home Services",
    utc_offset="-07:00",
    as_of="2027-02-17",
    areas=(
        ("303", ("80202", "80205", "80210", "80218", "80220")),
        ("720", ("80012", "80014", "80231", "80237")),
        ("303", ("80301", "80302", "80304")),
        ("719", ("80903", "80905", "80907", "80909")),
        ("602", ("85004", "85006", "85008", "85016")),
    ),
    catalog=(
        ("Smart thermostat", 18900),
        ("Furnace filter 16x25 (4-pack)", 4400),
        ("Tankless water heater", 119900),
        ("Water heater anode rod", 3900),
        ("Garbage disposal, 3/4 hp", 21900),
        ("Smoke and CO alarm", 5900),
        ("Whole-house surge protector", 27900),
        ("Leak sensor", 3400),
        ("Ceiling fan, 52 inch", 23900),
        ("Kitchen faucet", 16900),
        ("Humidifier pad", 1900),
        ("Sump pump", 32900),
    ),
    multi_qty=frozenset({"Furnace filter 16x25 (4-pack)", "Leak sensor", "Humidifier pad"}),
    statuses={
        "awaiting_payment": 9,
        "on_hold": 9,
        "backordered": 8,
        "processing": 9,
        "dispatched": 12,
        "delayed": 10,
        "delivered": 38,
        "installed": 9,
        "returned": 8,
        "partially_refunded": 9,
        "cancelled": 8,
        "refunded": 7,
    },
    carriers=("USPS", "OnTrac", "Brightline van"),
    plans=("Comfort Club", "Pay per visit", "Comfort Club Premier"),
    customer_statuses={"delinquent": 4, "paused": 3, "inactive": 3},
    services={
        "furnace tune-up": (8, 10, 13, 15),
        "plumbing repair": (7, 9, 11, 14, 16),
        "electrical inspection": (9, 12, 15),
    },
    appointments_per_service=10,
    slots_per_service=50,
    first_service_day="2027-02-18",
    service_days=26,
    closed_weekdays=frozenset({5, 6}),
    window_days=14,
    auto_approve_max_cents=7500,
    articles=_HOME_ARTICLES,
    email_domains=("example.net", "mail.example.org", "example.com"),
    first_names=tuple(
        "Ansel Beatriz Cyrus Dalia Emrys Freya Gideon Hollis Ilse Jude Kaveh Lorna Magnus Nell Orson "
        "Philippa Reuben Saoirse Tobias Una Vaughn Wren Yara Zev Alba Bram Cosima Dorian Elspeth"
        " Florian".split()
    ),
    last_names=tuple(
        "Ashgrove Blackwood Carraway Dunmore Ellsworth Fenwick Greystoke Hartigan Ingleby Jessup "
        "Kettering Lockhart Merriweather Northcott Oakhurst Penhallow Radcliffe Stanhope Treadwell"
        " Whitlock".split()
    ),
)

_BIKE_ARTICLES = (
    ArticleSpec(
        "Chain skips or gears slip",
        "Shift to the smallest rear cog and check the chain is not rusty or stiff at any link. "
        "1. Clean the chain with a rag and put one drop of chain lube on each roller. "
        "2. Turn the barrel adjuster where the cable enters the rear derailleur a half turn "
        "counter-clockwise, then shift through every gear. "
        "3. If it still skips under load, the chain or cassette is worn: book a tune-up so we can "
        "measure the chain stretch.",
        ("drivetrain", "shifting", "chain"),
        (
            "every time I pedal hard the chain kind of jumps",
            "my gears keep slipping when I'm going uphill",
            "the chain won't stay in the gear I pick",
        ),
    ),
    ArticleSpec(
        "E-bike battery will not charge",
        "Unplug the charger from the wall and from the battery for one minute. "
        "1. Take the battery off the frame and check the contacts are dry and clean. "
        "2. Plug the charger into the wall first, then into the battery, and watch for the light on the "
        "charger to turn red. "
        "3. Press the button on the battery: if no lights come on at all, leave it on the charger for "
        "two hours at room temperature. "
        "4. If it still will not charge, bring the battery and charger in for a free battery test.",
        ("e-bike", "battery", "charging"),
        (
            "the battery on my electric bike isn't charging",
            "I plug in the charger and the light never comes on",
            "my e-bike won't take a charge anymore",
        ),
    ),
    ArticleSpec(
        "Brakes squeal or feel weak",
        "Squeeze each brake lever: it should stop well before it touches the handlebar. "
        "1. Wipe the rotor or the rim with rubbing alcohol and a clean cloth; never use oil or lube "
        "near the brakes. "
        "2. Turn the small barrel adjuster on the brake lever out one turn to take up slack. "
        "3. Look at the pads: less than a millimeter of pad left means they must be replaced. "
        "4. If the lever still pulls to the bar, stop riding the bike and book a brake service.",
        ("brakes", "safety", "pads"),
        (
            "my brakes make an awful screeching noise",
            "the brakes don't really stop me anymore",
            "when I squeeze the brake it goes all the way to the handlebar",
        ),
    ),
    ArticleSpec(
        "Tire keeps going flat",
        "Pump the tire to the pressure printed on its sidewall and listen for a hiss. "
        "1. Take the tube out and run your fingers slowly around the inside of the tire to find thorns "
        "or glass. "
        "2. Check the rim tape covers every spoke hole. "
        "3. Fit a new tube, pumped a little first so it does not twist. "
        "4. If it goes flat again within a day, bring the wheel in and we fit a puncture-resistant tire.",
        ("tires", "flats", "tubes"),
        (
            "I keep getting flat tires",
            "my back tire loses air overnight",
            "I've had like three flats this week",
        ),
    ),
    ArticleSpec(
        "E-bike display shows an error code",
        "Turn the bike off, wait ten seconds and turn it on again. "
        "1. Unplug the cable between the display and the handlebar controller, check the pins are "
        "straight and dry, and plug it back until it clicks. "
        "2. Take the battery off, wait one minute and put it back on. "
        "3. If the code comes back, write it down and book an e-bike diagnostic visit.",
        ("e-bike", "display", "motor"),
        (
            "the screen on my e-bike shows some error and the motor quit",
            "my electric bike's display keeps flashing a code at me",
            "the motor won't assist and there's a warning on the little screen",
        ),
    ),
    ArticleSpec(
        "Store hours",
        "Our shop is open Tuesday to Saturday, 10 am to 7 pm Central time, and Sunday noon to 5 pm. "
        "We are closed on Mondays.",
        ("hours", "store", "visit"),
        (
            "I was wondering what time you close tonight",
            "are you folks open on a Monday",
            "when can I swing by the shop",
        ),
        fact="10 am to 7 pm",
        kind="general",
    ),
    ArticleSpec(
        "Test rides",
        "You can test ride any bike in stock for up to 30 minutes. Bring a driver's license or another "
        "photo ID; we keep it at the counter while you ride.",
        ("test-ride", "store", "buying"),
        (
            "can I take a bike out for a spin before I buy it",
            "do you let people try the e-bikes first",
            "what do I need to bring for a test ride",
        ),
        fact="photo ID",
        kind="general",
    ),
    ArticleSpec(
        "Frame warranty",
        "Every frame we sell has a lifetime warranty for the original owner. Components are covered "
        "for two years; tires, tubes, chains and brake pads wear out and are not covered.",
        ("warranty", "frame", "coverage"),
        (
            "what kind of warranty comes with the bikes",
            "is the frame guaranteed for long",
            "I heard the frames are covered forever, is that true",
        ),
        fact="lifetime warranty",
        kind="general",
    ),
    ArticleSpec(
        "Trade-ins",
        "We take used bikes in trade toward a new one. Bring it in for a free appraisal; trade-in "
        "credit is usually 30 to 50 percent of the bike's value.",
        ("trade-in", "used", "buying"),
        (
            "do you take old bikes as a trade",
            "I'd like to trade in my old road bike",
            "would you give me anything for my old mountain bike",
        ),
        fact="appraisal",
        kind="general",
    ),
)

HELDOUT = Profile(
    key="bikes",
    name="Northloop Cycles",
    utc_offset="-06:00",
    as_of="2027-01-26",
    areas=(
        ("612", ("55401", "55403", "55406", "55408")),
        ("651", ("55102", "55104", "55105")),
        ("773", ("60614", "60618", "60622", "60647")),
        ("608", ("53703", "53704", "53711")),
        ("414", ("53202", "53204", "53211")),
    ),
    catalog=(
        ("Gravel bike, 54 cm", 189900),
        ("Commuter e-bike", 249900),
        ("Kids' balance bike", 14900),
        ("Helmet with MIPS", 8900),
        ("Clipless pedals", 11900),
        ("U-lock with cable", 6900),
        ("Front and rear light set", 5900),
        ("Inner tube 700x32", 899),
        ("Tubeless sealant", 1499),
        ("Chain, 11-speed", 4499),
        ("Floor pump with gauge", 5499),
        ("Saddle bag", 2999),
        ("Water bottle cage", 1299),
        ("Winter cycling gloves", 3499),
    ),
    multi_qty=frozenset({"Inner tube 700x32", "Tubeless sealant", "Water bottle cage"}),
    statuses={
        "pending_payment": 8,
        "awaiting_stock": 9,
        "on_hold": 6,
        "in_assembly": 8,
        "ready_for_pickup": 10,
        "label_created": 8,
        "in_transit": 11,
        "delayed": 7,
        "delivered": 30,
        "picked_up": 14,
        "returned": 7,
        "partially_refunded": 8,
        "voided": 6,
        "refunded": 6,
    },
    carriers=("LSO", "Spee-Dee Delivery", "Northloop courier"),
    plans=("Pit Crew membership", "Pay as you ride", "Pit Crew Plus"),
    customer_statuses={"overdue": 4, "frozen": 2, "churned": 3},
    services={
        "bike tune-up": (9, 11, 14, 16),
        "wheel truing": (10, 13, 15),
        "e-bike diagnostic": (9, 12, 17),
    },
    appointments_per_service=10,
    slots_per_service=50,
    first_service_day="2027-01-27",
    service_days=24,
    closed_weekdays=frozenset({0}),
    window_days=60,
    auto_approve_max_cents=25000,
    articles=_BIKE_ARTICLES,
    email_domains=("example.com", "post.example.net", "example.org"),
    first_names=tuple(
        "Agnieszka Bao Chidi Darius Esperanza Fumiko Gunnar Hamid Ingrid Joaquin Kalani Lars Mireille "
        "Nnamdi Oksana Priya Rafael Solveig Thandiwe Valentina Wojciech Ximena Yolanda Zofia Arne "
        "Benedikt Consuelo Dong Eamon Marisol".split()
    ),
    last_names=tuple(
        "Brzezinski Castellanos Dahlberg Gallagher Halvorsen Kowalczyk Mbatha Nakamura Okonkwo "
        "Pedersen Sandoval Takahashi Vang Wojcik Yilmaz Zielinski Moreau Lindahl Ferreira Haugen".split()
    ),
)

# A fourth business, written by someone who never read the agent (a pet-supplies shop with grooming
# visits): a development set for what another business's data does to the agent.
_PET_ARTICLES = (
    ArticleSpec(
        "Automatic feeder does not dispense food",
        "Check the hopper is at least a quarter full and the kibble pieces are smaller than 15 millimeters. "
        "1. Lift the hopper off and clear any kibble jammed in the rotor at the bottom. "
        "2. Wipe the chute dry with a paper towel; oily or damp food makes the pieces stick together. "
        "3. Replace the three D batteries in the base, even if the feeder runs on the wall adapter. "
        "4. Hold the Feed button for three seconds to drop a test portion; if the rotor does not turn, "
        "contact us for a replacement motor.",
        ("feeder", "automatic-feeder", "dispensing"),
        (
            "my dog's food machine didn't give him breakfast this morning",
            "the automatic feeder isn't putting any kibble out",
            "the feeder beeps at mealtime but nothing comes out",
            "my cat was starving when I got home, the timer bowl never dropped anything",
        ),
    ),
    ArticleSpec(
        "Water fountain is noisy or stopped flowing",
        "Top up the fountain first: a low water level makes the pump rattle and then stop. "
        "1. Unplug the fountain, lift the pump out and pull off its front cover. "
        "2. Rinse the impeller and its magnet under warm water and pull off any hair wrapped around them. "
        "3. Fit a new filter; filters clog after about four weeks. "
        "4. Put the pump back flat on the bottom, fully under water, and plug it in. If the water still "
        "does not flow, the pump needs replacing.",
        ("fountain", "water", "pump"),
        (
            "the cat's drinking fountain is making a grinding buzz",
            "water isn't bubbling out of the pet fountain anymore",
            "my fountain went quiet and the water is just sitting there",
        ),
    ),
    ArticleSpec(
        "Self-cleaning litter box will not cycle",
        "Make sure the litter is at the fill line and the waste drawer is pushed all the way in. "
        "1. Empty the waste drawer; a full drawer stops the cycle and turns the light yellow. "
        "2. Wipe the two sensor eyes inside the globe with a dry cloth. "
        "3. Unplug the box for thirty seconds, plug it back in and press Reset. "
        "4. If the globe still does not turn, check that nothing is caught in the gear track at the back, "
        "then contact us.",
        ("litter-box", "self-cleaning", "cats"),
        (
            "the automatic litter box isn't rotating after my cat uses it",
            "the litter robot thing just sits there with a yellow light on",
            "my self cleaning litter box stopped cleaning itself",
            "the poop isn't getting scooped away anymore",
        ),
    ),
    ArticleSpec(
        "GPS tracker shows no location",
        "Charge the tracker until its light is solid green, then take it outside for five minutes so it "
        "can find satellites. "
        "1. In the Waggle app, open Devices and check the tracker's subscription is active. "
        "2. Allow the app to use location and Bluetooth in your phone's settings. "
        "3. Hold the tracker's button for ten seconds to restart it. "
        "4. If the map still shows no position after an hour outdoors, remove the tracker in the app and "
        "add it again.",
        ("tracker", "gps", "collar"),
        (
            "I can't see where my dog is on the app",
            "the collar tracker just says location unavailable",
            "the map hasn't updated my pup's position all day",
        ),
    ),
    ArticleSpec(
        "Pet camera is offline",
        "The camera only works on a 2.4 GHz Wi-Fi network, so check that your router has one turned on. "
        "1. Unplug the camera for ten seconds and plug it back in; wait for the light to blink blue. "
        "2. Move the camera within two rooms of the router. "
        "3. If you changed your Wi-Fi password, press the reset pin under the camera for five seconds and "
        "set it up again in the Waggle app. "
        "4. If the light stays red, power the camera from a different USB adapter.",
        ("camera", "wifi", "treat-camera"),
        (
            "I can't watch my dog from work, the camera says offline",
            "the treat tossing camera won't connect to my wifi",
            "the video of my cat never loads on my phone",
            "the app keeps saying device disconnected for the pet cam",
        ),
    ),
    ArticleSpec(
        "Retractable leash will not lock or retract",
        "Stop using the leash on walks until the brake holds every time. "
        "1. Pull the cord all the way out slowly and let it wind back while you hold it, "
        "to reset the spring. "
        "2. Check the cord for knots or frayed spots; a kink stops the brake from catching. "
        "3. Press and release the lock button ten times to free any grit, and rinse the slot with fresh "
        "water if it has sand in it. "
        "4. If the cord stays slack or the brake still slips, do not open the case: the leash is covered "
        "for one year, so contact us for a replacement.",
        ("leash", "dogs", "walking"),
        (
            "the leash doesn't stop when I press the button",
            "the cord on my dog's lead won't reel back in",
            "the brake on the extending leash keeps slipping when he pulls",
        ),
    ),
    ArticleSpec(
        "Grooming clippers pull fur or run hot",
        "Switch the clippers off and brush all loose hair out of the blade with the small brush in the box. "
        "1. Put three drops of blade oil across the teeth, run the clippers for ten seconds and wipe off "
        "the extra oil. "
        "2. Check the blade clicks fully onto the clipper head and the comb guard sits flat. "
        "3. Rest the clippers every ten minutes, or switch to the spare blade while the first one cools. "
        "4. Blades dull after about six months of use; if they still tug after oiling, order a "
        "replacement blade.",
        ("clippers", "grooming", "blades"),
        (
            "the clippers keep tugging at my poodle's hair",
            "the trimmer gets really hot after a few minutes",
            "my dog yelps when I shave him because the blade snags",
        ),
    ),
    ArticleSpec(
        "Shop and grooming salon hours",
        "Our shop and grooming salon are open Tuesday to Saturday, 9 am to 5:30 pm Hawaii time. "
        "We are closed on Sundays and Mondays.",
        ("hours", "shop", "grooming"),
        (
            "what time does your shop open in the morning",
            "how late can I pick my dog up from the groomer",
            "what are your opening hours",
        ),
        fact="9 am to 5:30 pm",
        kind="general",
    ),
    ArticleSpec(
        "Returns",
        "Return unopened food, treats and litter, and any unused product, within 30 days of delivery for "
        "a full refund. Opened food is accepted too if your pet will not eat it. Bring it to the shop or "
        "ask us for a free return label.",
        ("returns", "refunds", "food"),
        (
            "can I send back a bag of food my dog refuses to eat",
            "how long do I have to return something",
            "what's your policy on returning stuff",
            "is it too late to bring back the cat tree I bought",
        ),
        fact="30 days",
        kind="general",
    ),
    ArticleSpec(
        "Cancelling a grooming or vet nurse visit",
        "Cancel or move a grooming or vet nurse visit free of charge up to 48 hours before it starts. "
        "Later cancellations and no-shows cost a 25 dollar fee.",
        ("cancellation", "grooming", "fees"),
        (
            "will I get charged if I cancel my dog's grooming",
            "I need to skip tomorrow's groom, is there a penalty",
            "how late can I move the nurse appointment without paying",
        ),
        fact="48 hours",
        kind="general",
    ),
    ArticleSpec(
        "Islands we deliver to",
        "We deliver to Oahu, Maui, the Big Island and Kauai. Orders on Oahu arrive in one to two days; "
        "the other islands take three to five business days. We do not ship to the mainland.",
        ("delivery", "shipping", "islands"),
        (
            "do you deliver out to the Big Island",
            "which islands can you ship to",
            "can I get cat litter sent to my place in Hilo",
        ),
        fact="Big Island",
        kind="general",
    ),
    ArticleSpec(
        "Pausing the Treat Club box",
        "Treat Club members get a box of treats every four weeks and 10 percent off in the shop. "
        "You can pause your Treat Club box for up to three months, or skip a single box, in the app under "
        "Subscriptions at least two days before it ships.",
        ("treat-club", "subscription", "pause"),
        (
            "can I put my treat subscription on hold while we're traveling",
            "I want to stop the monthly treat box for a little while",
            "is there a way to hold off on the treat deliveries without cancelling",
        ),
        fact="three months",
        kind="general",
    ),
)

PETS = Profile(
    key="pets",
    name="Waggle & Whisker",
    utc_offset="-10:00",
    as_of="2027-03-09",
    areas=(
        ("808", ("96813", "96814", "96815", "96816", "96822")),
        ("808", ("96734", "96744", "96795")),
        ("808", ("96706", "96707", "96797")),
        ("808", ("96732", "96753", "96768", "96793")),
        ("808", ("96720", "96740", "96766")),
    ),
    catalog=(
        ("Grain-free salmon dog food, 24 lb", 6499),
        ("Indoor cat kibble, 12 lb", 3899),
        ("Clumping cat litter, 20 lb", 1899),
        ("Self-cleaning litter box", 34999),
        ("Automatic pet feeder", 12999),
        ("Pet water fountain", 4499),
        ("Fountain filters (4-pack)", 1299),
        ("GPS tracker collar", 14999),
        ("Wi-Fi pet camera with treat tosser", 17999),
        ("Retractable leash, 16 ft", 2499),
        ("Cordless grooming clippers", 5999),
        ("Orthopedic dog bed, large", 8999),
        ("Cat tree, 5-level", 11999),
        ("Freeze-dried chicken treats", 1499),
        ("Dental chews (30-count)", 2299),
    ),
    multi_qty=frozenset(
        {
            "Clumping cat litter, 20 lb",
            "Fountain filters (4-pack)",
            "Freeze-dried chicken treats",
            "Dental chews (30-count)",
        }
    ),
    statuses={
        "unfulfilled": 10,
        "processing": 9,
        "shipped": 14,
        "in_transit": 11,
        "out_for_delivery": 8,
        "delayed": 7,
        "on_hold": 3,
        "delivered": 38,
        "exchanged": 7,
        "returned_to_sender": 6,
        "returned": 7,
        "partially_refunded": 7,
        "cancelled": 8,
        "refunded": 7,
    },
    carriers=("Aloha Air Cargo", "Island Courier", "Waggle & Whisker van"),
    plans=("Treat Club", "Basic", "Treat Club Pack Leader"),
    customer_statuses={"card_declined": 4, "snoozed": 2, "lapsed": 3},
    services={
        "dog grooming": (9, 11, 13, 15),
        "cat grooming": (10, 12, 14),
        "vet nurse visit": (10, 13, 16),
    },
    appointments_per_service=9,
    slots_per_service=45,
    first_service_day="2027-03-10",
    service_days=24,
    closed_weekdays=frozenset({0, 6}),
    window_days=30,
    auto_approve_max_cents=10000,
    articles=_PET_ARTICLES,
    email_domains=("mail.example.com", "home.example.net", "ohana.example.org"),
    first_names=tuple(
        "Akosua Bartholomew Camila Minjun Eleni Faisal Genevieve Hiroshi Ifeoma Jovan Keoni Leilani "
        "Mateo Noelani Olamide Pilar Quang Renata Sione Tamsin Uzoma Violeta Wenonah Xavier Yaretzi "
        "Zainab Alistair Chayton Dagny Malia".split()
    ),
    last_names=tuple(
        "Akana Balogun Cardenas Dubois Espiritu Fonoti Hashemi Kealoha Liufau Mendoza Okafor Palakiko "
        "Reyes Soto Ueda Villanueva Wongsakul Yamamoto Tupou Ng".split()
    ),
)


PROFILES: dict[str, Profile] = {TUNE.key: TUNE, DEV.key: DEV, HELDOUT.key: HELDOUT, PETS.key: PETS}
