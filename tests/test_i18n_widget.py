"""Languages on the visitor's side (issue 19): the widget's language (the
page's `lang`, then the browser's languages, then the website's default),
its direction (right to left for Arabic, Hebrew...), the direct link page,
and Chromium tours of the widget in French and in Arabic."""
import re

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import RealTimeBusMixin, set_presence
from .test_i18n import install_languages
from .test_session_api import LiveChatApiCase

FRENCH_SEND = "Envoyer"
SPANISH_SEND = "Enviar"
ARABIC_SEND = "إرسال"


@tagged("post_install", "-at_install")
class TestVisitorLanguage(LiveChatApiCase):
    """What /live_chat/init answers, by the visitor's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        install_languages(cls.env, ["fr_FR", "es_ES", "ar_001"])
        cls.default_channel = cls.env.ref("live_chat.live_chat_channel_default")

    def init(self, lang=None, accept=None, channel=None):
        params = {"channel_id": (channel or self.default_channel).id, "url": "http://site.test/"}
        if lang:
            params["lang"] = lang
        return self.call("/live_chat/init", params, headers={"Accept-Language": accept or ""})["result"]

    def test_page_language_first(self):
        result = self.init(lang="fr-FR", accept="es-ES,es;q=0.9")
        self.assertEqual(result["lang"], "fr-FR")
        self.assertEqual(result["dir"], "ltr")
        self.assertEqual(result["strings"]["send"], FRENCH_SEND)
        # The channel's own texts in the same language: one language throughout.
        self.assertEqual(result["options"]["button_text"], "Une question ? Discutez avec nous.")
        self.assertEqual(result["options"]["input_placeholder"], "Posez votre question...")
        self.assertEqual([m["body"] for m in result["welcome"]], ["Bonjour, comment puis-je vous aider ?"])

    def test_language_without_region_and_region_variants(self):
        self.assertEqual(self.init(lang="fr")["lang"], "fr-FR")
        self.assertEqual(self.init(lang="fr-CA")["lang"], "fr-FR")
        self.assertEqual(self.init(lang="ar")["lang"], "ar-001")

    def test_browser_languages_when_the_page_language_is_not_installed(self):
        result = self.init(lang="sv-SE", accept="de-DE,de;q=0.9,es;q=0.8,en;q=0.5")
        self.assertEqual(result["lang"], "es-ES", "German is not installed: the browser's next language")
        self.assertEqual(result["strings"]["send"], SPANISH_SEND)
        self.assertEqual(result["options"]["welcome_message"], "Hola, ¿en qué puedo ayudarle?")

    def test_website_default_language_last(self):
        website = self.env.ref("website.default_website")
        french = self.env["res.lang"]._lang_get("fr_FR")
        website.language_ids = [Command.link(french.id)]
        website.default_lang_id = french
        result = self.init(lang="sv-SE", accept="sv-SE,sv;q=0.9")
        self.assertEqual(result["lang"], "fr-FR")
        self.assertEqual(result["strings"]["send"], FRENCH_SEND)

    def test_arabic_is_right_to_left(self):
        result = self.init(lang="ar-SA")
        self.assertEqual((result["lang"], result["dir"]), ("ar-001", "rtl"))
        self.assertEqual(result["strings"]["send"], ARABIC_SEND)
        self.assertEqual(result["options"]["button_text"], "هل لديك سؤال؟ تحدث إلينا.")

    def test_hebrew_added_by_an_administrator_is_right_to_left(self):
        """No Hebrew translation ships: the texts stay English, the layout mirrors."""
        self.env["res.lang"]._activate_lang("he_IL")
        result = self.init(lang="he-IL")
        self.assertEqual((result["lang"], result["dir"]), ("he-IL", "rtl"))
        self.assertEqual(result["strings"]["send"], "Send")

    def test_refusals_in_the_visitors_language(self):
        error = self.refused("/live_chat/session/start", {
            "channel_id": self.default_channel.id, "body": "   ", "lang": "fr"}, "bad_request")
        self.assertEqual(error["message"], "Le message est vide.")

    def test_direct_link_page_in_the_visitors_language_and_direction(self):
        page = self.url_open(f"/live_chat/chat/{self.default_channel.id}?lang=ar",
                             headers={"Accept-Language": "en-US"}).text
        self.assertTrue(re.search(r'<html[^>]* lang="ar-001"[^>]* dir="rtl"', page), page[:300])
        page = self.url_open(f"/live_chat/chat/{self.default_channel.id}",
                             headers={"Accept-Language": "fr-BE,fr;q=0.9"}).text
        self.assertTrue(re.search(r'<html[^>]* lang="fr-FR"[^>]* dir="ltr"', page), page[:300])
        self.assertIn("Veuillez activer JavaScript pour discuter avec nous.", page)


@tagged("post_install", "-at_install")
class TestLanguageTours(RealTimeBusMixin, HttpCase):
    """A French and an Arabic visitor on the website's /fr/ and /ar/ pages,
    chatting with the default channel (its texts from the .po files)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        install_languages(cls.env, ["fr_FR", "ar_001"])
        website = cls.env.ref("website.default_website")
        langs = cls.env["res.lang"].search([("code", "in", ["fr_FR", "ar_001"])])
        website.language_ids = [Command.link(lang.id) for lang in langs]
        cls.channel = cls.env.ref("live_chat.live_chat_channel_default")
        website.live_chat_channel_id = cls.channel
        cls.admin = cls.env.ref("base.user_admin")
        cls.channel.user_ids = [Command.set(cls.admin.ids)]

    def setUp(self):
        super().setUp()
        set_presence(self.admin, minutes_ago=0)

    def live_session(self):
        return self.env["discuss.channel"].search(
            [("channel_type", "=", "live_chat"), ("live_chat_channel_id", "=", self.channel.id)])

    def test_french_visitor_reads_french(self):
        self.start_tour("/fr/contactus", "live_chat_language_french", timeout=120)
        self.env.invalidate_all()
        messages = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", self.live_session().id)], order="id")
        self.assertIn("Bonjour, comment puis-je vous aider ?", str(messages[0].body),
                      "the operator's welcome is posted in the visitor's language")
        self.assertEqual(self.live_session().live_chat_guest_id.lang, "fr_FR")

    def test_arabic_visitor_gets_a_mirrored_widget(self):
        self.start_tour("/ar/contactus", "live_chat_language_arabic", timeout=120)
        self.env.invalidate_all()
        self.assertEqual(len(self.live_session()), 1)
        self.assertEqual(self.live_session().live_chat_guest_id.lang, "ar_001")
