"""The institute's real starter content, loaded by `manage.py load_starter_content`.

Facts (titles, names, years, identifiers) come from the catalogue records collected in
shared/content/facts.md. Descriptions, biographies, abstracts and case-study accounts are written
for the hub in plain words. Where a fact is not known it is left empty for staff to fill in through
the admin: no ORCID iDs, page ranges, dates or ISBNs are guessed.

Every item is keyed on its slug, so the loader can update it in place without creating copies.
References between items (a parent theme, a parent book, authors) use slugs too.
"""

# --- Themes ---------------------------------------------------------------------------------
# Two top-level themes, each with four sub-themes. `order` sets the display order.

THEMES = [
    {
        "slug": "co-production",
        "name": "Co-production",
        "parent": None,
        "order": 10,
        "description": (
            "<p>Co-production of public services and outcomes: citizens, service users and "
            "communities working with public bodies to plan, deliver and judge the services "
            "they rely on, and to improve the outcomes those services exist for.</p>"
            "<p>The field often divides co-production into four activities, known as the Four "
            "Co's: co-commissioning, co-design, co-delivery and co-assessment.</p>"
        ),
    },
    {
        "slug": "co-commissioning",
        "name": "Co-commissioning",
        "parent": "co-production",
        "order": 11,
        "description": (
            "<p>Citizens and service users helping to decide which services and outcomes are "
            "needed, who should provide them and how the money is spent.</p>"
        ),
    },
    {
        "slug": "co-design",
        "name": "Co-design",
        "parent": "co-production",
        "order": 12,
        "description": (
            "<p>Shaping a service together with the people who will use it, drawing on their "
            "experience before the service is put in place or changed.</p>"
        ),
    },
    {
        "slug": "co-delivery",
        "name": "Co-delivery",
        "parent": "co-production",
        "order": 13,
        "description": (
            "<p>Citizens and communities taking part in delivering services alongside "
            "professionals, for example as volunteers, peer supporters or neighbours.</p>"
        ),
    },
    {
        "slug": "co-assessment",
        "name": "Co-assessment",
        "parent": "co-production",
        "order": 14,
        "description": (
            "<p>Service users and citizens helping to monitor and evaluate the quality of "
            "services and the outcomes they achieve.</p>"
        ),
    },
    {
        "slug": "democratic-and-social-innovation",
        "name": "Democratic and social innovation",
        "parent": None,
        "order": 20,
        "description": (
            "<p>New ways for people to take part in public decisions and in the life of their "
            "communities, and how local government can make room for them and include groups "
            "that are usually left out.</p>"
        ),
    },
    {
        "slug": "participatory-governance",
        "name": "Participatory governance",
        "parent": "democratic-and-social-innovation",
        "order": 21,
        "description": (
            "<p>Arrangements that give citizens a direct say in public decisions, such as "
            "citizens' assemblies, participatory budgeting and deliberative forums.</p>"
        ),
    },
    {
        "slug": "digital-participation",
        "name": "Digital participation",
        "parent": "democratic-and-social-innovation",
        "order": 22,
        "description": (
            "<p>The digitalisation of participation: online platforms and tools through which "
            "people take part in public decisions, and what they change about who takes "
            "part.</p>"
        ),
    },
    {
        "slug": "inclusion-of-disempowered-groups",
        "name": "Inclusion of disempowered groups",
        "parent": "democratic-and-social-innovation",
        "order": 23,
        "description": (
            "<p>How participation and co-production can reach and include people whose voices "
            "are seldom heard in public decisions.</p>"
        ),
    },
    {
        "slug": "social-innovation-in-urban-governance",
        "name": "Social innovation in urban governance",
        "parent": "democratic-and-social-innovation",
        "order": 24,
        "description": (
            "<p>Community-led initiatives in cities and the people who work between them and "
            "local government, and how their ideas are taken up, changed or absorbed.</p>"
        ),
    },
]

# --- Service areas (staff can add more in the admin) ----------------------------------------

SERVICE_AREAS = [
    {"slug": "health", "name": "Health", "order": 10},
    {"slug": "social-care", "name": "Social care", "order": 20},
    {"slug": "community-safety", "name": "Community safety", "order": 30},
    {"slug": "neighbourhood-renewal", "name": "Neighbourhood renewal", "order": 40},
    {"slug": "public-spaces", "name": "Public spaces", "order": 50},
    {"slug": "young-peoples-services", "name": "Young people's services", "order": 60},
    {"slug": "education", "name": "Education", "order": 70},
    {"slug": "housing", "name": "Housing", "order": 80},
    {"slug": "environment", "name": "Environment", "order": 90},
]

# --- People ---------------------------------------------------------------------------------

PEOPLE = [
    {
        "slug": "elke-loeffler",
        "given_name": "Elke",
        "family_name": "Loeffler",
        "position": "INLOGOV Associate",
        "relation": "associate",
        "expertise": ["co-production", "co-commissioning", "co-design", "co-delivery", "co-assessment"],
        "biography": (
            "<p>Elke Loeffler is an Associate of INLOGOV and Director of Governance "
            "International, a non-profit organisation that collects and shares examples of "
            "co-production in public services.</p>"
            "<p>She wrote <em>Co-Production of Public Services and Outcomes</em> and edited "
            "<em>The Palgrave Handbook of Co-Production of Public Services and Outcomes</em> "
            "with Tony Bovaird.</p>"
        ),
    },
    {
        "slug": "tony-bovaird",
        "given_name": "Tony",
        "family_name": "Bovaird",
        "honorific": "Professor",
        "position": "Emeritus Professor of Public Management and Policy",
        "relation": "emeritus",
        "expertise": ["co-production", "co-commissioning", "co-assessment"],
        "biography": (
            "<p>Tony Bovaird is Emeritus Professor of Public Management and Policy at INLOGOV "
            "and Chief Executive of Governance International.</p>"
            "<p>With Elke Loeffler he edited <em>The Palgrave Handbook of Co-Production of "
            "Public Services and Outcomes</em>.</p>"
        ),
    },
    {
        "slug": "sonia-bussu",
        "given_name": "Sonia",
        "family_name": "Bussu",
        "position": "Associate Professor",
        "relation": "staff",
        "expertise": [
            "participatory-governance",
            "digital-participation",
            "inclusion-of-disempowered-groups",
        ],
        "biography": (
            "<p>Sonia Bussu is an Associate Professor at INLOGOV. Her research is on "
            "participatory governance: how citizens take part in public decisions and who "
            "is included when they do.</p>"
        ),
    },
    {
        "slug": "koen-bartels",
        "given_name": "Koen",
        "family_name": "Bartels",
        "position": "Associate Professor in Public Management",
        "relation": "staff",
        "expertise": ["social-innovation-in-urban-governance", "democratic-and-social-innovation"],
        "biography": (
            "<p>Koen Bartels is an Associate Professor in Public Management at INLOGOV. He "
            "studies social innovation and urban governance, often through action research "
            "carried out together with the people involved.</p>"
        ),
    },
    {
        "slug": "yaron-golan",
        "given_name": "Yaron",
        "family_name": "Golan",
        "relation": "external",
        "expertise": ["participatory-governance"],
        "biography": (
            "<p>Yaron Golan co-wrote the 2022 report <em>Understanding developments in "
            "Participatory Governance</em> with Sonia Bussu and Anna Hargreaves.</p>"
        ),
    },
    {
        "slug": "anna-hargreaves",
        "given_name": "Anna",
        "family_name": "Hargreaves",
        "relation": "external",
        "expertise": ["participatory-governance"],
        "biography": (
            "<p>Anna Hargreaves co-wrote the 2022 report <em>Understanding developments in "
            "Participatory Governance</em> with Sonia Bussu and Yaron Golan.</p>"
        ),
    },
    {
        "slug": "helen-sullivan",
        "given_name": "Helen",
        "family_name": "Sullivan",
        "relation": "external",
        "expertise": [],
        "biography": (
            "<p>Helen Sullivan edited <em>The Palgrave Handbook of the Public Servant</em> "
            "with Helen Dickinson.</p>"
        ),
    },
    {
        "slug": "helen-dickinson",
        "given_name": "Helen",
        "family_name": "Dickinson",
        "relation": "external",
        "expertise": [],
        "biography": (
            "<p>Helen Dickinson edited <em>The Palgrave Handbook of the Public Servant</em> "
            "with Helen Sullivan.</p>"
        ),
    },
]

# --- Publications ---------------------------------------------------------------------------
# Parents come before their children. `contributors` are (person slug, role) in citation order.

FOUR_COS = ["co-commissioning", "co-design", "co-delivery", "co-assessment"]

PUBLICATIONS = [
    {
        "slug": "palgrave-handbook-of-co-production",
        "title": "The Palgrave Handbook of Co-Production of Public Services and Outcomes",
        "kind": "handbook",
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "place": "Cham",
        "doi": "10.1007/978-3-030-53705-0",
        "is_featured": True,
        "contributors": [("elke-loeffler", "editor"), ("tony-bovaird", "editor")],
        "themes": ["co-production", *FOUR_COS],
        "service_areas": [],
        "abstract": (
            "<p>A handbook on the co-production of public services and outcomes, edited by "
            "Elke Loeffler and Tony Bovaird, with chapters by more than fifty authors.</p>"
            "<p>Its ten sections cover definitions, the disciplines co-production grew from, "
            "different perspectives on it, each of the Four Co's (co-commissioning, co-design, "
            "co-delivery and co-assessment), how co-production is put into practice and scaled "
            "up, how it is governed, and an agenda for future research.</p>"
        ),
    },
    {
        "slug": "co-production-of-public-services-and-outcomes",
        "title": "Co-Production of Public Services and Outcomes",
        "kind": "book",
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "place": "Cham",
        "doi": "10.1007/978-3-030-55509-2",
        "is_featured": True,
        "contributors": [("elke-loeffler", "author")],
        "themes": ["co-production"],
        "service_areas": ["health", "social-care", "community-safety"],
        "abstract": (
            "<p>A book by Elke Loeffler on how citizens and public bodies can work together to "
            "improve public services and the outcomes they are meant to achieve. It draws on "
            "international case studies and looks at co-production in health, social care and "
            "public safety, and at what gets in the way of it.</p>"
        ),
    },
    {
        "slug": "the-four-cos",
        "title": "The Four Co's",
        "subtitle": (
            "Co-commissioning, Co-design, Co-delivery and Co-assessment of Public Services and "
            "Outcomes Through Traditional and Digital Mechanisms"
        ),
        "kind": "chapter",
        "parent": "co-production-of-public-services-and-outcomes",
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "place": "Cham",
        "pages": "75-176",
        "doi": "10.1007/978-3-030-55509-2_3",
        "contributors": [("elke-loeffler", "author")],
        "themes": ["co-production", *FOUR_COS],
        "service_areas": [],
        "abstract": (
            "<p>Chapter 3 of <em>Co-Production of Public Services and Outcomes</em>. It takes "
            "each of the Four Co's in turn (co-commissioning, co-design, co-delivery and "
            "co-assessment) and looks at both traditional and digital ways of doing them.</p>"
        ),
    },
    {
        "slug": "co-production-in-health-social-care-and-public-safety",
        "title": "Co-production in Health, Social Care and Public Safety",
        "kind": "chapter",
        "parent": "co-production-of-public-services-and-outcomes",
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "place": "Cham",
        "doi": "10.1007/978-3-030-55509-2_4",
        "contributors": [("elke-loeffler", "author")],
        "themes": ["co-production"],
        "service_areas": ["health", "social-care", "community-safety"],
        "abstract": (
            "<p>Chapter 4 of <em>Co-Production of Public Services and Outcomes</em>, on "
            "co-production in three service areas: health, social care and public safety.</p>"
        ),
    },
    {
        "slug": "challenges-to-effective-co-production",
        "title": "Challenges to Effective Co-production of Public Services and Outcomes",
        "kind": "chapter",
        "parent": "co-production-of-public-services-and-outcomes",
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "place": "Cham",
        "doi": "10.1007/978-3-030-55509-2_5",
        "contributors": [("elke-loeffler", "author")],
        "themes": ["co-production"],
        "service_areas": [],
        "abstract": (
            "<p>Chapter 5 of <em>Co-Production of Public Services and Outcomes</em>, on the "
            "obstacles that can stop co-production from working well.</p>"
        ),
    },
    {
        "slug": "understanding-developments-in-participatory-governance",
        "title": "Understanding developments in Participatory Governance",
        "subtitle": (
            "a report on findings from a scoping review of the literature and expert interviews"
        ),
        "kind": "report",
        "year": 2022,
        # Only the month (August 2022) is known, so no full date is recorded.
        "publisher": "Manchester Metropolitan University",
        "isbn": "9781910029787",
        "contributors": [
            ("sonia-bussu", "author"),
            ("yaron-golan", "author"),
            ("anna-hargreaves", "author"),
        ],
        "themes": [
            "participatory-governance",
            "digital-participation",
            "inclusion-of-disempowered-groups",
        ],
        "service_areas": [],
        "abstract": (
            "<p>A commissioned report of 72 pages on how participatory governance has developed "
            "across Europe over the past decade. It brings together a scoping review of the "
            "literature and interviews with experts, carried out between April and December "
            "2021, and considers digital participation and the inclusion of groups that are "
            "seldom heard.</p>"
        ),
    },
    {
        "slug": "palgrave-handbook-of-the-public-servant",
        "title": "The Palgrave Handbook of the Public Servant",
        "kind": "handbook",
        # A living reference work; 2021 is the year in its catalogue record.
        "year": 2021,
        "publisher": "Palgrave Macmillan",
        "contributors": [("helen-sullivan", "editor"), ("helen-dickinson", "editor")],
        "themes": [],
        "service_areas": [],
        "abstract": (
            "<p>A handbook about the people who work in public services, edited by Helen "
            "Sullivan and Helen Dickinson and published as a living reference work whose "
            "chapters appear online as they are accepted.</p>"
        ),
    },
    {
        "slug": "fitting-in",
        "title": "Fitting In",
        "subtitle": "The Double-Sided Work of Intermediating Social Innovation in Local Governance",
        "kind": "chapter",
        "parent": "palgrave-handbook-of-the-public-servant",
        "year": 2020,
        "publisher": "Palgrave Macmillan",
        "doi": "10.1007/978-3-030-03008-7_14-1",
        "contributors": [("koen-bartels", "author")],
        "themes": ["social-innovation-in-urban-governance"],
        "service_areas": [],
        "abstract": (
            "<p>A chapter based on empirical research in Liverpool about the people who work "
            "between community initiatives and local government. It shows how their work cuts "
            "both ways: it can help social innovation change local governance, and it can also "
            "draw that innovation into existing ways of working.</p>"
        ),
    },
]

# --- Case studies ---------------------------------------------------------------------------
# From Governance International's collection of good practice, discussed in the two books.

CASE_STUDY_SOURCES = [
    "co-production-of-public-services-and-outcomes",
    "palgrave-handbook-of-co-production",
]

CASE_STUDIES = [
    {
        "slug": "balsall-heath-resident-led-renewal",
        "title": "Resident-led renewal of Balsall Heath",
        "country": "GB",
        "locality": "Birmingham",
        "organisations": "Balsall Heath Forum",
        "service_areas": ["community-safety", "neighbourhood-renewal"],
        "themes": ["co-production", "co-delivery", "co-design"],
        "summary": (
            "Residents of Balsall Heath, Birmingham, organised through the Balsall Heath Forum "
            "to make their neighbourhood safer and to lead its renewal."
        ),
        "body": (
            "<p>In Balsall Heath, an inner-city neighbourhood of Birmingham, residents took a "
            "leading part in improving their area. Working through the Balsall Heath Forum, "
            "they helped shape plans for the neighbourhood and took on work themselves "
            "alongside public services.</p>"
        ),
    },
    {
        "slug": "civivo-rimini",
        "title": "CI.VI.VO.: volunteers who look after their neighbourhood",
        "country": "IT",
        "locality": "Rimini",
        "service_areas": ["community-safety", "public-spaces"],
        "themes": ["co-production", "co-delivery"],
        "summary": (
            "In Rimini, Italy, groups of volunteers look after their own neighbourhoods, "
            "helping to keep streets and public spaces safe and cared for."
        ),
        "body": (
            "<p>CI.VI.VO. brings together residents of Rimini who volunteer to look after the "
            "neighbourhood where they live. They work with the city on community safety and on "
            "the care of shared public spaces.</p>"
        ),
    },
    {
        "slug": "keyring-networks-plus-walsall",
        "title": "KeyRing Networks Plus",
        "country": "GB",
        "locality": "Walsall",
        "organisations": "KeyRing",
        "service_areas": ["social-care"],
        "themes": ["co-production", "co-delivery"],
        "summary": (
            "A supported-living network in Walsall in which people who need support live "
            "nearby one another and help each other, with a volunteer close at hand."
        ),
        "body": (
            "<p>KeyRing Networks Plus in Walsall is a form of supported living. People who need "
            "some support live in their own homes in the same area, form a network and help "
            "one another, so that support comes from neighbours as well as from "
            "professionals.</p>"
        ),
    },
    {
        "slug": "therapy-focus-western-australia",
        "title": (
            "Therapy Focus: co-designing therapeutic interventions with young people and families"
        ),
        "country": "AU",
        "locality": "Western Australia",
        "organisations": "Therapy Focus",
        "service_areas": ["health"],
        "themes": ["co-production", "co-design"],
        "summary": (
            "Therapy Focus in Western Australia designs its therapy services together with the "
            "young people and families who use them."
        ),
        "body": (
            "<p>Therapy Focus, a provider of therapy services in Western Australia, involves "
            "young people and their families in designing the therapeutic support they "
            "receive, so that services fit the lives of the people using them.</p>"
        ),
    },
    {
        "slug": "surrey-outcome-based-commissioning-young-people",
        "title": "Outcome-based commissioning of services for young people",
        "country": "GB",
        "locality": "Surrey",
        "organisations": "Surrey County Council",
        "service_areas": ["young-peoples-services"],
        "themes": ["co-production", "co-commissioning", "co-assessment"],
        "summary": (
            "Surrey County Council commissioned its services for young people around the "
            "outcomes that matter to them, with young people involved in choosing and judging "
            "those services."
        ),
        "body": (
            "<p>Surrey County Council changed how it commissions services for young people, "
            "starting from the outcomes those services should achieve. Young people took part "
            "in deciding what was needed and in assessing how well services worked.</p>"
        ),
    },
    {
        "slug": "present-east-dunbartonshire",
        "title": "PRESENT: people living with dementia as a pillar of their community",
        "country": "GB",
        "locality": "East Dunbartonshire, Scotland",
        "organisations": "East Dunbartonshire Council",
        "service_areas": ["social-care", "health"],
        "themes": ["co-production", "co-delivery", "co-design"],
        "summary": (
            "In East Dunbartonshire, Scotland, people living with dementia are supported to "
            "stay active members of their community and to help shape local services."
        ),
        "body": (
            "<p>PRESENT, run with East Dunbartonshire Council, treats people living with "
            "dementia as contributors to community life rather than only as recipients of care. "
            "They take part in shaping and delivering local activities and services.</p>"
        ),
    },
]
