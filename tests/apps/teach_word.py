"""The words chapter's "teach it a new word" part alone, in the language of ?lang=, for AppTest."""

from ui.i18n import resolve_lang
from ui.teach_word import section

resolve_lang()
section()
