{
    "name": "Live Chat",
    "version": "17.0.1.0.0",
    "category": "Website/Live Chat",
    "sequence": 210,
    "summary": "Chat in real time with your website visitors",
    "description": """
Website visitors chat in real time with the company's operators, who answer
from inside Odoo wherever they are in the database. Channels with operators,
options, display rules (URL, country, chatbot) and a widget that works on the
Odoo website and on any external site.
""",
    "author": "live_chat developers",
    "maintainers": ["live_chat"],
    "website": "https://localhost/live_chat",
    "license": "LGPL-3",
    "depends": ["mail", "bus", "website", "rating"],
    "data": [
        "security/live_chat_security.xml",
        "security/live_chat_session_security.xml",
        "security/live_chat_visitor_security.xml",
        "security/ir.model.access.csv",
        "security/live_chat_report_security.xml",
        "security/live_chat_rating_security.xml",
        "data/live_chat_data.xml",
        "data/mail_template_data.xml",
        "data/live_chat_cron.xml",
        "views/live_chat_channel_views.xml",
        "views/live_chat_channel_rule_views.xml",
        "views/live_chat_chatbot_views.xml",
        "views/discuss_channel_views.xml",
        "views/live_chat_templates.xml",
        "views/res_users_views.xml",
        "views/res_config_settings_views.xml",
        "views/live_chat_report_views.xml",
        "views/live_chat_rating_views.xml",
        "views/live_chat_menus.xml",
    ],
    "demo": [
        "demo/live_chat_demo.xml",
        "demo/live_chat_chatbot_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "live_chat/static/src/backend/**/*",
        ],
        "web.assets_tests": [
            "live_chat/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "_post_init_add_installer_as_operator",
    "application": True,
    "installable": True,
}
