"""Home: the article's journey as a map of chapters, a word for grown-ups, and where the story comes from."""

import streamlit as st

from ui import chapters
from ui.i18n import bases, first_base, load, t, text
from ui.layout import chapter, paragraphs
from ui.pictures import show


@st.cache_data(show_spinner=False)
def card_picture(chapter_id: str):
    return chapters.card_picture(chapter_id)


def minutes(chapter_id: str) -> int:
    return load(first_base(), chapter_id)["minutes"]


def journey_map() -> None:
    built = chapters.built()
    if not built:
        return
    columns = st.columns(min(len(built), 4))
    for number, (c, column) in enumerate(zip(built, columns), start=1):
        with column, st.container(border=True, key=f"card-{c.id}"):
            show(card_picture(c.id), width="stretch", alt=text(c.id, "teaser"))
            st.subheader(f"{number}. {c.icon} {text(c.id, 'nav')}", anchor=False)
            st.write(text(c.id, "teaser"))
            st.caption("⏱ " + t("minutes", n=minutes(c.id)))
            if st.button(t("open_chapter") + " →", key=f"open-{c.id}", type="primary", width="stretch"):
                st.switch_page(c.page, query_params=dict(st.query_params))


def for_grownups() -> None:
    for c in chapters.built():
        with st.expander(f"{c.icon} {text(c.id, 'title')}"):
            st.markdown(f"**{t('home.takes')}:** {t('minutes', n=minutes(c.id))}")
            st.markdown(f"**{t('home.teaches')}**")
            paragraphs(*(load(b, c.id)["parents"]["teaches"] for b in bases()), key=f"teach-{c.id}")
            st.markdown(f"**{t('home.talk')}**")
            # Each question in the page's language; in bilingual mode the Chinese, then the English in italics.
            questions = [qs[0] + "".join(f"  \n*{q}*" for q in qs[1:])
                         for qs in zip(*(load(b, c.id)["parents"]["questions"] for b in bases()))]
            st.markdown("\n".join(f"{i}. {q}" for i, q in enumerate(questions, start=1)))


chapter("home", {"map": journey_map, "grownups": for_grownups})
