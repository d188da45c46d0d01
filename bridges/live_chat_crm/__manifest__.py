{
    "name": "Live Chat CRM",
    "version": "17.0.1.0.0",
    "category": "Website/Live Chat",
    "summary": "Turn live chat sessions into CRM leads: /lead, a chatbot step, offline messages, links both ways",
    "author": "live_chat developers",
    "maintainers": ["live_chat"],
    "license": "LGPL-3",
    "depends": ["live_chat", "crm"],
    "data": [
        "data/utm_data.xml",
        "views/crm_lead_views.xml",
        "views/discuss_channel_views.xml",
        "views/live_chat_channel_views.xml",
        "views/live_chat_chatbot_views.xml",
    ],
    "demo": [
        "demo/live_chat_crm_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "live_chat_crm/static/src/**/*",
        ],
        "web.assets_tests": [
            "live_chat_crm/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
}
