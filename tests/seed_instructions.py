"""Every instruction of the two seed sheets, as it must read on the handout.

One entry per sentence or instruction of the clinic's sheets (typos fixed,
meaning unchanged). Tests look for each in the text of the real PDF, with
white space folded, so a protocol edit that drops an instruction fails.
"""

MICRONEEDLING = [
    # Warning
    "do not take any anti-inflammatory medications such as Ibuprofen, Motrin or Advil",
    "These agents will interfere with the natural inflammatory process that is critical and "
    "responsible for your skin rejuvenation",
    # Day of procedure
    "Day of procedure",
    "No lotions, makeup or other topical products on your face before your procedure",
    "your medical provider may apply a lipopeptide booster, skin moisturizer, and sunscreen",
    "You may clean your face with a gentle cleanser before bed",
    # Day 1
    "Day 1",
    "you may clean your face as usual and apply makeup, lotions and other topical products as "
    "usual",
    "Stay away from exfoliants or glycolic acids",
    "as these can make your skin very dry after the procedure",
    "Be sure to use an approved SPF 30 or greater sunscreen",
    # Days 2-7
    "Days 2-7",
    "you will notice skin dryness and flaking",
    "This is due to an increased turnover of skin cells",
    "you may apply your regular skin moisturizer",
    "Follow the instructions given to you by your medical professional",
    "If your medical professional used the roller around the eyes, you may have a little micro "
    "bruising that may exist for three or four days",
    "This can easily be covered with makeup",
    "your skin will start shedding",
    "These are skin layers that would regularly shed a week later, but the Micro-Needling brings "
    "this skin to the surface sooner",
    "During this temporary process, your skin will shed and be dry",
    # Days 7+
    "Days 7+",
    "most patients notice that their skin is smoother and more radiant",
    # Course of treatments
    "A course of 1 to 3 treatments (at most 5)",
    "depends on the condition being treated",
    "If you require more procedures than this, you may have an unrecognized underlying medical "
    "condition and should consult with your provider",
    "results may vary from patient to patient",
    "the healthier your body is, the better will be the results you achieve",
    "Your body's function and overall health are reflected in your skin",
    # Regimen
    "For 1-3 days after the procedure, the following is recommended",
    "Mineral makeup may be worn the following day after the procedure",
    'You may resume your regular or "pre-procedure care" program after 1-3 days as recommended',
    "Cleanse",
    "Milky Lotion Cleanser or Gentle Cleanser",
    "Renew & Fortify",
    "Medical Barrier Cream or Calming Cream",
    "Use as often as needed to help with dryness",
    "Treat",
    "Enriched Firming Mask",
    "Sleep in it",
    "Protect",
    "Active Shield or Tinted Moisturizer",
    "AM",
    "PM",
]

MICROPENNING = [
    # Immediately after
    "Immediately after treatment",
    "Your skin will feel hot and look flushed for a few hours",
    "That should generally subside by around 50% within the hour",
    "you can expect that hour right after treatment to be the most intense",
    "your numbing cream is also wearing off at the same time, and the combined effect can feel "
    "traumatic",
    "Just give it time! Don't panic, and avoid touching it",
    "This is completely normal and you just need to let a little time go by",
    "As you are driving home, using your air conditioner can provide some relief, or a fan of any "
    "sort!",
    # Next 24 hours
    "For the next 24 hours",
    "Avoid touching your skin, but if you must, wash your hands before you do",
    "Gently cleanse your skin with a mild cleanser that does not contain any active ingredients, "
    "no less than six hours after your treatment",
    'Apply the post-care cream "Rescue" from your kit as often as needed for the first 24-48 hours',
    "This is the recommended moisturizer to be using during this time when your skin is "
    "especially sensitive",
    "Use a physical sunblock, SPF 30-50, often and try to avoid direct sun exposure",
    "As always, stay hydrated from the inside out!",
    # Days 2-7
    "Days 2-7",
    "Continue with gentle cleanser morning and night",
    "Use gentle moisturizer morning and night and as needed",
    "We recommend our post-care kit from Sente with Dermal Repair Cream and a physical SPF",
    "As your skin begins to slough and lightly peel, it may feel dry (like sandpaper) no matter "
    "how much moisturizer is used",
    "This is normal, and will resolve once sloughing has subsided",
    "This process may last for a couple of days",
    "apply Jan Marini Skin Zyme Mask for 15-20 minutes and remove with Jan Marini Clean Zyme and "
    "a clean wet washcloth",
    "This can be done once a day until the sloughing has resolved",
    "Follow with hydration and a neutral moisturizer",
    "Do not use any antioxidants, resurfacers, retinol or other active products while your skin "
    "is recovering",
    "Use of these may resume when your skin feels back to normal",
    # After one week
    "After one week",
    "Slowly resume your active products as tolerated",
    "Continue with physical sunblock every day",
    "Best results are usually seen between 2-3 months after treatment",
    "Treatments are generally recommended once a month for an initial series of three, followed "
    "by maintenance treatments once every six months",
    "Be sure to discuss your individual goals with your practitioner, as the process can vary "
    "depending on the goals",
    "Use of targeted medical-grade products will amplify your results and the benefits of "
    "micropenning and microneedling",
    "Be sure to consult with your practitioner to get the best regime for you and your skin",
    # Contact (numbers come from the clinic's branding)
    "Please do not hesitate to call us at",
    "if you have any questions or concerns about your treatments",
    "If you have a situation that you feel cannot wait until the next business day",
    "follow the prompts",
    "page the 24",
    "on-call nurse",
]

SEEDS = {"microneedling": MICRONEEDLING, "micropenning": MICROPENNING}
