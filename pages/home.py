"""Home: the article's journey as a map of chapters, a word for grown-ups, and where the story comes from."""

import streamlit as st

from ui import chapters
from ui.i18n import field, t, text
from ui.layout import chapter, paragraphs


@st.cache_data(show_spinner=False)
def card_picture(chapter_id: str):
    return chapters.card_picture(chapter_id)


def minutes(chapter_id: str) -> int:
    value = field(chapter_id, "minutes")
    return value[0] if isinstance(value, tuple) else value


def journey_map() -> None:
    built = chapters.built()
    if not built:
        return
    columns = st.columns(min(len(built), 4))
    for number, (c, column) in enumerate(zip(built, columns), start=1):
        with column, st.container(border=True, key=f"card-{c.id}"):
            st.image(card_picture(c.id), width="stretch")
            st.subheader(f"{number}. {c.icon} {text(c.id, 'nav')}")
            st.write(text(c.id, "teaser"))
            st.caption("⏱ " + t("minutes", n=minutes(c.id)))
            if st.button(t("open_chapter") + " →", key=f"open-{c.id}", type="primary", width="stretch"):
                st.switch_page(c.page, query_params=dict(st.query_params))


def for_grownups() -> None:
    for c in chapters.built():
        with st.expander(f"{c.icon} {text(c.id, 'title')}"):
            st.markdown(f"**{t('home.takes')}:** {t('minutes', n=minutes(c.id))}")
            st.markdown(f"**{t('home.teaches')}**")
            teaches = field(c.id, "parents", "teaches")
            if isinstance(teaches, tuple):
                paragraphs(*teaches, key=f"teach-{c.id}")
            else:
                paragraphs(teaches)
            st.markdown(f"**{t('home.talk')}**")
            questions = field(c.id, "parents", "questions")
            if isinstance(questions, tuple):   # bilingual: each question in Chinese, then English
                questions = [f"{zh}  \n*{en}*" for zh, en in zip(*questions)]
            st.markdown("\n".join(f"{i}. {q}" for i, q in enumerate(questions, start=1)))


chapter("home", {"map": journey_map, "grownups": for_grownups})
