"""Languages (issue 19): the translation catalogue is complete, and the
default channel speaks every shipped language.

The catalogue check compares i18n/live_chat.pot with what Odoo's own
exporter (TranslationModuleReader, the code behind --i18n-export) extracts
from this database (Python `_()`, JS `_t`, views, data, demo data, mail
templates), then checks that each shipped i18n/<lang>.po translates every
entry of the .pot, with nothing fuzzy, stale or missing. Its failure
messages name the terms and the commands that fix them."""
import glob
import io
import os
import re
from collections import Counter

import polib

from odoo import Command
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

I18N = os.path.join(get_module_path("live_chat"), "i18n")
POT = os.path.join(I18N, "live_chat.pot")
# Issue 19: at least these languages ship (i18n/<name>.po).
REQUIRED = {"fr", "de", "es", "it", "nl", "pt_BR", "pl", "ar", "zh_CN", "ja"}
DEFAULT_TEXTS = {
    "button_text": "Have a question? Chat with us.",
    "welcome_message": "Hello, how may I help you?",
    "input_placeholder": "Ask something...",
    "offline_button_text": "Leave us a message",
}
HOW_TO_FIX = """
How to fix it (README, "Languages"): run `tools/i18n`, which does, on a database with live_chat
and its demo data installed:
    odoo-bin -d <db> --i18n-export=i18n/live_chat.pot --modules=live_chat
    msgmerge --previous --update --backup=none i18n/<lang>.po i18n/live_chat.pot    (each language)
    msgattrib --no-obsolete --output-file=i18n/<lang>.po i18n/<lang>.po
then translate the entries left empty or marked "#, fuzzy" in every i18n/<lang>.po (and delete the
fuzzy marks), and run `tools/test --tags /live_chat:TestCatalogue` again."""
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\{.*?\}\}")
TAG = re.compile(r"<[^<>]+>")


def shipped_po_files(i18n=I18N):
    """{language name of the file (fr, pt_BR...): path} for <i18n>/*.po."""
    return {os.path.basename(path)[:-3]: path for path in sorted(glob.glob(os.path.join(i18n, "*.po")))}


def lang_code(env, name):
    """The res.lang code Odoo loads i18n/<name>.po for (fr -> fr_FR, ar -> ar_001)."""
    Lang = env["res.lang"].with_context(active_test=False)
    lang = (Lang.search([("code", "=", name)]) or Lang.search([("code", "=", f"{name}_{name.upper()}")])
            or Lang.search([("iso_code", "=", name)], order="id", limit=1))
    return lang.code


def install_languages(env, codes):
    """Activate these languages and load live_chat's terms for them, as
    installing a language does for every installed module."""
    for code in codes:
        env["res.lang"]._activate_lang(code)
    env["ir.module.module"]._load_module_terms(["live_chat"], list(codes))
    env.invalidate_all()


def entry_key(entry):
    """What Odoo uses of an entry besides its text: where it applies (model
    records and view terms by external id; code terms by file), the kind of
    code (odoo-python / odoo-javascript) and the python-format flag."""
    return (frozenset(path for path, _line in entry.occurrences),
            frozenset(line for line in entry.comment.splitlines() if line.strip()),
            "python-format" in entry.flags)


def short(msgid):
    text = " ".join(msgid.split())
    return repr(text if len(text) <= 90 else text[:87] + "...")


@tagged("post_install", "-at_install")
class TestCatalogue(TransactionCase):
    """The catalogue of `module` (a bridge addon checks its own by
    subclassing this class with its name)."""

    module = "live_chat"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        buffer = io.BytesIO()
        trans_export(False, [cls.module], buffer, "po", cls.env.cr)
        cls.exported = polib.pofile(buffer.getvalue().decode())
        cls.i18n = os.path.join(get_module_path(cls.module), "i18n")
        cls.pot_name = f"{cls.module}.pot"
        cls.pot = polib.pofile(os.path.join(cls.i18n, f"{cls.module}.pot"))
        cls.demo = cls.env["ir.module.module"].search([("name", "=", cls.module)]).demo

    def how_to_fix(self):
        folder = "i18n/" if self.module == "live_chat" else f"bridges/{self.module}/i18n/"  # in the repository
        return HOW_TO_FIX.replace("i18n/", folder) \
            .replace("live_chat.pot", f"{self.module}.pot").replace("--modules=live_chat", f"--modules={self.module}") \
            .replace("/live_chat:TestCatalogue", f"/{self.module}:{type(self).__name__}")

    def test_pot_holds_every_translatable_term(self):
        """Every term Odoo's exporter finds is in the .pot, where Odoo applies
        it (the .po files copy those references: a view or record missing
        there stays in English), and the .pot holds nothing else."""
        pot = {entry.msgid: entry for entry in self.pot if not entry.obsolete}
        problems = []
        for entry in self.exported:
            if entry.msgid not in pot:
                problems.append(f"missing from the .pot: {short(entry.msgid)} (used in "
                                f"{', '.join(sorted(path for path, _line in entry.occurrences))})")
            elif entry_key(entry) != entry_key(pot[entry.msgid]):
                problems.append(f"not up to date in the .pot (where it is used, or its flags): {short(entry.msgid)}")
        exported = {entry.msgid for entry in self.exported}
        if self.demo:  # without demo data, the demo's terms are not in the database to compare
            problems += [f"in the .pot but no longer in the addon: {short(msgid)}"
                         for msgid in pot if msgid not in exported]
        self.assertFalse(problems, f"{self.pot_name} is not current:\n  " + "\n  ".join(problems)
                         + self.how_to_fix())

    def test_required_languages_ship(self):
        missing = sorted(REQUIRED - set(shipped_po_files(self.i18n)))
        self.assertFalse(missing, f"these languages have no i18n/<language>.po: {missing}" + self.how_to_fix())

    def test_every_po_translates_every_term(self):
        """Each .po: every .pot entry, translated, not fuzzy, with the .pot's
        references and flags, the same placeholders and markup; no other
        entry (obsolete or stale)."""
        pot = {entry.msgid: entry for entry in self.pot if not entry.obsolete}
        report = []
        for name, path in shipped_po_files(self.i18n).items():
            po = polib.pofile(path)
            problems = []
            if po.metadata.get("Language") != name:
                problems.append(f'the header says "Language: {po.metadata.get("Language")}", not {name}')
            entries = {}
            for entry in po:
                if entry.obsolete:
                    problems.append(f"obsolete entry (#~) to delete: {short(entry.msgid)}")
                elif entry.msgid not in pot:
                    problems.append(f"not in the .pot (stale): {short(entry.msgid)}")
                else:
                    entries[entry.msgid] = entry
            for msgid, template in pot.items():
                entry = entries.get(msgid)
                if entry is None:
                    problems.append(f"missing: {short(msgid)}")
                    continue
                if not entry.msgstr.strip():
                    problems.append(f"untranslated: {short(msgid)}")
                    continue
                if "fuzzy" in entry.flags:
                    problems.append(f"fuzzy (review the translation, then delete the fuzzy mark): {short(msgid)}")
                if entry_key(entry) != entry_key(template):
                    problems.append(f"references or flags differ from the .pot (merge it again): {short(msgid)}")
                if Counter(PLACEHOLDER.findall(msgid)) != Counter(PLACEHOLDER.findall(entry.msgstr)):
                    problems.append(f"placeholders differ ({', '.join(PLACEHOLDER.findall(msgid))}): {short(msgid)}")
                if Counter(TAG.findall(msgid)) != Counter(TAG.findall(entry.msgstr)):
                    problems.append(f"markup differs (keep every tag and attribute as is): {short(msgid)}")
            if problems:
                report.append(f"i18n/{name}.po:\n    " + "\n    ".join(problems))
        self.assertFalse(report, "translations are incomplete:\n  " + "\n  ".join(report) + self.how_to_fix())


@tagged("post_install", "-at_install")
class TestDefaultChannelLanguages(TransactionCase):
    """The default channel's options come translated in every shipped
    language, so that a visitor reads one language throughout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel = cls.env.ref("live_chat.live_chat_channel_default")
        cls.languages = {name: lang_code(cls.env, name) for name in shipped_po_files()}

    def expected(self, name):
        """{field: the .po's translation of its English text}."""
        translations = {entry.msgid: entry.msgstr for entry in polib.pofile(shipped_po_files()[name])}
        return {field: translations.get(text) for field, text in DEFAULT_TEXTS.items()}

    def test_the_default_channel_sets_its_texts_for_the_po_files(self):
        """The data file sets the texts, so that the .pot carries them for this record."""
        pot = polib.pofile(POT)
        for field, text in DEFAULT_TEXTS.items():
            self.assertEqual(self.channel.with_context(lang="en_US")[field], text)
            references = {path for entry in pot if entry.msgid == text for path, _line in entry.occurrences}
            self.assertIn(f"model:live_chat.channel,{field}:live_chat.live_chat_channel_default", references)

    def test_language_installed_after_live_chat_translates_the_default_channel(self):
        """Settings > Languages > Add, after live_chat is installed: French."""
        french = self.env["res.lang"].with_context(active_test=False).search([("code", "=", "fr_FR")])
        self.assertFalse(french.active)
        self.env["base.language.install"].create({"lang_ids": [Command.set(french.ids)]}).lang_install()
        channel = self.channel.with_context(lang="fr_FR")
        self.assertEqual(channel.button_text, "Une question ? Discutez avec nous.")
        self.assertEqual(channel.welcome_message, "Bonjour, comment puis-je vous aider ?")
        self.assertEqual(channel.input_placeholder, "Posez votre question...")
        self.assertEqual(self.channel.with_context(lang="en_US").button_text, DEFAULT_TEXTS["button_text"])

    def test_every_shipped_language_translates_the_default_channel(self):
        install_languages(self.env, self.languages.values())
        for name, code in self.languages.items():
            expected = self.expected(name)
            channel = self.channel.with_context(lang=code)
            for field, text in DEFAULT_TEXTS.items():
                with self.subTest(language=name, field=field):
                    self.assertTrue(expected[field] and expected[field] != text,
                                    f"i18n/{name}.po does not translate {text!r}")
                    self.assertEqual(channel[field], expected[field])
        # A few, spelled out: what a visitor of these languages reads.
        welcome = {"de": "Hallo, wie kann ich Ihnen helfen?", "es": "Hola, ¿en qué puedo ayudarle?",
                   "ar": "مرحبًا، كيف يمكنني مساعدتك؟", "ja": "こんにちは。どのようなご用件でしょうか？"}
        for name, text in welcome.items():
            self.assertEqual(self.channel.with_context(lang=self.languages[name]).welcome_message, text)

    def test_new_channel_gets_default_texts_in_every_installed_language(self):
        install_languages(self.env, [self.languages["fr"], self.languages["ar"]])
        channel = self.env["live_chat.channel"].create({"name": "Support", "button_text": "Talk to us"})
        french, arabic = self.expected("fr"), self.expected("ar")
        self.assertEqual(channel.with_context(lang="fr_FR").welcome_message, french["welcome_message"])
        self.assertEqual(channel.with_context(lang="ar_001").input_placeholder, arabic["input_placeholder"])
        self.assertEqual(channel.with_context(lang="en_US").welcome_message, DEFAULT_TEXTS["welcome_message"])
        # What the administrator typed is theirs, in every language, until they translate it.
        self.assertEqual(channel.with_context(lang="fr_FR").button_text, "Talk to us")
        # Created by a French-speaking administrator: English visitors still read English.
        channel = self.env["live_chat.channel"].with_context(lang="fr_FR").create({"name": "Ventes"})
        self.assertEqual(channel.with_context(lang="en_US").button_text, DEFAULT_TEXTS["button_text"])
        self.assertEqual(channel.with_context(lang="fr_FR").button_text, french["button_text"])
