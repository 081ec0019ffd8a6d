"""Spanish readers get committees and rooms in Spanish: "en el Comité de Salud del Senado",
"Sala 1200". A committee the catalog has no words for keeps the legislature's name, which is
still the one to search for; English readers see the names as the legislature writes them."""

from __future__ import annotations

import pytest

from tracker.alerts.phrases import describe
from tracker.committees import committee_name, room_words
from tracker.i18n import translations


@pytest.mark.parametrize(("name", "spanish"), [
    ("Senate Health", "Comité de Salud del Senado"),
    ("Assembly Health", "Comité de Salud de la Asamblea"),
    ("Assembly Committee on Public Safety", "Comité de Seguridad Pública de la Asamblea"),
    ("Senate Standing Committee on Judiciary", "Comité de Asuntos Judiciales del Senado"),
    ("Assembly Aging and Long-Term Care Committee", "Comité de Envejecimiento y Cuidado a Largo Plazo de la Asamblea"),
    ("Senate Floor", "Pleno del Senado"),
])
def test_a_standing_committee_is_named_in_spanish(name: str, spanish: str) -> None:
    assert committee_name(name, "es") == spanish


def test_a_committee_the_catalog_does_not_know_keeps_its_official_name() -> None:
    name = "Senate Budget Subcommittee No. 3 on Health and Human Services"
    assert committee_name(name, "es") == name


def test_english_readers_see_the_legislatures_name() -> None:
    assert committee_name("Senate Health", "en") == "Senate Health"


def test_a_spanish_hearing_sentence_names_the_committee_and_room_in_spanish() -> None:
    after = {"date": "2026-12-15", "committee": "Senate Health", "time": "1:30 p.m.",
             "room": "1021 O Street, Room 1200", "status": "scheduled"}
    text = describe("hearing_set", None, after, "AB 1656", "es", translations("es").gettext, lambda ids: "")
    assert text == ("AB 1656: audiencia fijada para el 15 de diciembre de 2026 en el Comité de Salud del Senado. "
                    "Hora y lugar: 1:30 p.m., 1021 O Street, Sala 1200.")


def test_an_english_room_stays_as_published() -> None:
    assert room_words("1021 O Street, Room 1200", translations("en").gettext) == "1021 O Street, Room 1200"
