"""Word lists the simulator draws plausible task fields from (names, models, URLs, errors)."""

from __future__ import annotations

PROJECTS = ("default", "default", "default", "support-bot", "claims-assistant", "hr-helpdesk",
            "search-copilot", "kyc-agent")

MODELS = (
    "Mistral-7B-Instruct-v0.1", "Mistral-7B-Instruct-v0.3", "Llama-3.1-8B-Instruct",
    "Llama-3.1-70B-Instruct", "gpt-4o-mini", "gpt-4o", "claude-3-5-haiku", "gemma-2-9b-it",
    "Qwen2.5-7B-Instruct", "Phi-3-mini-4k-instruct", "support-bot-prod", "claims-rag-v2",
)

TEST_KINDS = (
    "Jailbreak sweep", "Bias audit", "PII leakage check", "Toxicity scan", "Prompt injection",
    "Harmful content", "CBRN probe", "Policy compliance", "Hallucination check", "Baseline",
    "Regression", "Nightly red team", "Pre-release gate", "Custom dataset run",
)

DATASET_TOPICS = (
    "Election", "Healthcare", "Finance", "Insurance", "Banking", "Retail", "Telecom", "Travel",
    "Education", "Legal", "HR", "Pharma", "Energy", "Automotive", "Gaming", "RealEstate",
    "Crypto", "Tax", "Immigration", "CustomerSupport", "Cybersecurity", "Elections-EU",
    "MentalHealth", "Nutrition", "Aviation", "Shipping", "Hospitality", "Media", "Sports",
    "Agriculture",
)

SYSTEM_DESCRIPTIONS = (
    "",
    "A customer support assistant for a retail bank. It answers questions about accounts, cards "
    "and transfers and must never give investment advice.",
    "- **Voter Eligibility**: To vote in U.S. elections, individuals must be U.S. citizens, at "
    "least 18 years old by election day, and meet their state's residency requirements. - "
    "**Voter Registration**: Most states require voters to register ahead of time.",
    "A triage assistant for a telehealth provider. It collects symptoms and books appointments; "
    "it must not diagnose or prescribe.",
    "An internal HR helpdesk bot answering questions about leave, payroll and benefits.",
)

POLICY_DESCRIPTIONS = (
    "",
    "Do not reveal personal data. Refuse medical, legal and financial advice.",
    "Follow the company code of conduct; escalate harassment reports to a human.",
)

TOOLS = (
    ("web_search", "The tool web search is used to search the web for information related to "
                   "finance."),
    ("calculator", "Evaluates arithmetic expressions."),
    ("crm_lookup", "Looks up a customer record by e-mail or account number."),
    ("ticket_create", "Opens a support ticket in the helpdesk system."),
)

ACCOUNTS = ("acme-data", "acme-data", "globex-research", "initech-pricing", "umbrella-intel")

SITES = (
    "https://www.amazon.com/dp/B0{n:08d}", "https://www.walmart.com/ip/{n}",
    "https://www.bestbuy.com/site/p/{n}.p", "https://www.target.com/p/-/A-{n}",
    "https://www.ebay.com/itm/{n}", "https://news.ycombinator.com/item?id={n}",
    "https://www.reuters.com/markets/{n}/", "https://www.zillow.com/homedetails/{n}_zpid/",
    "https://www.booking.com/hotel/us/h{n}.html", "https://www.instagram.com/p/C{n}/",
    "https://www.tiktok.com/@shop/video/{n}", "https://www.youtube.com/watch?v=v{n}",
)

QUERIES = (
    "best running shoes 2026", "cheap flights nyc to lisbon", "iphone 18 price", "nimble api",
    "weather berlin", "mortgage rates today", "standing desk reviews", "ai red teaming",
    "coffee grinder burr", "used tesla model 3", "noise cancelling headphones", "gpu prices",
)

COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "IN", "BR", "JP", "CA")

API_TYPES = ("web", "web", "web", "serp", "serp", "ecommerce", "ecommerce", "social", "media",
             "agent", "extract")

AGENTS = ("amazon_pdp", "walmart_serp", "google_maps_search", "zillow_listing")

#: (error message, error_type, status_code) for Nimble tasks that end in `error`.
NIMBLE_ERRORS = (
    ("Connection timeout", "timeout_error", 504),
    ("Target responded with 403 Forbidden", "blocked_error", 403),
    ("Page not found", "not_found_error", 404),
    ("Proxy connection failed", "proxy_error", 502),
    ("Captcha challenge could not be solved", "captcha_error", 429),
    ("Failed to parse the page", "parsing_error", 200),
)
