"""Collections: the team's named lists of papers (being built)."""

from __future__ import annotations

import streamlit as st

from lib.urlstate import COLLECTIONS
from pages import common

state = common.url_state(COLLECTIONS)
st.title("Collections")
common.write_url(COLLECTIONS, state)
