"""Loading restrictive lists from files: the shipped samples, real-format quirks, broken files."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from journey.query_side.population import default_population, fold
from journey.query_side.restrictive_lists.entries import BirthDate, ListedName
from journey.query_side.restrictive_lists.generate import generate, main
from journey.query_side.restrictive_lists.lists import (
    ListFormatError,
    ListLoadError,
    load_lists,
    shipped_lists_dir,
)
from journey.query_side.restrictive_lists.model import Outcome, ScreeningSubject
from journey.query_side.restrictive_lists.screening import ScreeningEngine

NULLS = ",-0- " * 7  # Title and the six vessel columns, empty as OFAC writes them


def sdn_row(ent: int, name: str, kind: str = '"individual"', remarks: str = "-0- ") -> str:
    return f'{ent},"{name}",{kind},"SDNTK"{NULLS},{remarks}\n'


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


# -- the shipped samples ---------------------------------------------------------------------------
def test_the_shipped_lists_load_from_inside_the_package() -> None:
    folder = shipped_lists_dir()
    assert folder.is_dir()
    assert folder.parent.name == "restrictive_lists"
    lists = load_lists()
    population = default_population()
    listed = {
        name: [p for p in population.listed if p.list_name == name] for name in ("OFAC-SDN", "UN")
    }
    counts = {loaded.name: (len(loaded.entries), loaded.skipped) for loaded in lists.lists}
    assert counts == {
        "OFAC-SDN": (len(listed["OFAC-SDN"]) + 1, 2),  # + the issue's example; 2 entities skipped
        "UN": (len(listed["UN"]), 2),
        "PEP": (len(population.peps()), 0),
        "INTERNAL": (12, 0),
    }
    un = lists.get("UN")
    assert un is not None
    assert un.published == date(2026, 1, 15)
    assert all(len(loaded.version) == 16 for loaded in lists.lists)


def test_the_shipped_lists_are_exactly_what_the_generator_writes(tmp_path: Path) -> None:
    main(["--out", str(tmp_path)])
    shipped = shipped_lists_dir()
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(p.name for p in shipped.iterdir() if p.suffix in (".csv", ".xml"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name


async def test_the_population_matches_the_shipped_lists() -> None:
    """Listed people and PEPs are hits under their own name and birth date; namesakes are not."""
    population = default_population()
    engine = ScreeningEngine(load_lists())

    async def outcome(name: str, born: date) -> tuple[Outcome, set[str]]:
        result = await engine.screen(ScreeningSubject(full_name=name, birth_date=born))
        return result.outcome, {hit.entry_id for hit in result.hits}

    for listed in population.listed[:80]:
        found, ids = await outcome(listed.full_name, listed.birth_date)
        assert found is Outcome.HIT, listed.entry_id
        assert listed.entry_id in ids
    for pep in population.peps():
        found, ids = await outcome(pep.full_name, pep.birth_date)
        assert found is Outcome.HIT, pep.person_id
        assert f"PEP-{pep.person_id}" in ids
    for namesake in population.namesakes():
        found, _ = await outcome(namesake.full_name, namesake.birth_date)
        if namesake.pep_role is None:
            assert found is not Outcome.HIT, namesake.person_id


def test_a_large_list_is_generated_on_demand(tmp_path: Path) -> None:
    generate(tmp_path, entries=1200, people=300)
    lists = load_lists(tmp_path)
    assert sum(len(loaded.entries) for loaded in lists.lists if loaded.name != "PEP") > 1200


# -- OFAC legacy CSV -------------------------------------------------------------------------------
def test_ofac_files_are_read_as_published(tmp_path: Path) -> None:
    remarks = (
        '"DOB 01 Jan 1970; alt. DOB circa 1972; POB Cali, Colombia; nationality Colombia; '
        "citizen Venezuela; Gender Male; a.k.a. 'EL FLACO'; Cedula No. 123 (Colombia).\""
    )
    sdn = (
        sdn_row(10, "PEREZ GONZALEZ, Jose Antonio", remarks=remarks)
        + sdn_row(11, "ACME TRADING S.A.", kind="-0- ")
        + sdn_row(12, "MV OCEAN STAR", kind='"vessel"')
        + '13,"GOMEZ, Ana","individual","SDGT] [IRGC"' + NULLS + ',"DOB Mar 1980."\n'
        + "\x1a\n"  # the DOS end-of-file marker some downloads end with
    )  # fmt: skip
    folder = write(
        tmp_path,
        {
            "SDN.CSV": sdn,
            "alt.csv": '10,1,"aka","PEREZ, Chepe",-0- \n10,2,"fka","GONZALEZ, Jose",-0- \n'
            '11,3,"aka","ACME",-0- \n',
            "add.csv": '10,1,-0- ,"Caracas","Venezuela",-0- \n13,2,-0- ,-0- ,"Mexico",-0- \n',
            "sdn_comments.csv": '13,"Gender Female; nationality Peru."\n',
        },
    )
    [ofac] = load_lists(folder).lists
    assert (len(ofac.entries), ofac.skipped) == (2, 2)
    jose, ana = ofac.entries
    assert jose.names == (
        ListedName("PEREZ GONZALEZ, Jose Antonio"),
        ListedName("PEREZ, Chepe", "alias"),
        ListedName("GONZALEZ, Jose", "previous_name"),
        ListedName("EL FLACO", "weak_alias"),
    )
    assert jose.birth_dates == (BirthDate.exact(date(1970, 1, 1)), BirthDate(1971, 1973))
    assert jose.countries == {"CO", "VE"}
    assert jose.gender == "M"
    assert ana.programs == ("SDGT", "IRGC")
    assert ana.birth_dates == (BirthDate(1980, 1980, 3),)
    assert (ana.gender, ana.countries) == ("F", {"MX", "PE"})


def test_a_header_row_and_latin_1_bytes_are_tolerated(tmp_path: Path) -> None:
    header = "ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,"
    header += "Vess_flag,Vess_owner,Remarks\n"
    row = sdn_row(10, "MUÑOZ, José")
    folder = write(tmp_path, {"sdn.csv": (header + row).encode("latin-1")})
    [ofac] = load_lists(folder).lists
    assert [entry.primary_name for entry in ofac.entries] == ["MUÑOZ, José"]


# -- UN consolidated XML ---------------------------------------------------------------------------
UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-03-02T23:00:02.141Z">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>6908555</DATAID><FIRST_NAME> ERIC </FIRST_NAME><SECOND_NAME>BADEGE  </SECOND_NAME>
   <UN_LIST_TYPE>DRC</UN_LIST_TYPE><REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
   <GENDER>Masculino</GENDER>
   <NATIONALITY><VALUE>Democratic Republic of the Congo</VALUE></NATIONALITY>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>BADEGE, Eric</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Musa</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Eric Badeg</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ADDRESS><COUNTRY>Rwanda</COUNTRY></INDIVIDUAL_ADDRESS>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-05-02</DATE>
   </INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1969</YEAR>
   </INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1973</FROM_YEAR>
   <TO_YEAR>1974</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>ADF</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>
"""


def test_the_un_list_is_read_as_published(tmp_path: Path) -> None:
    [un] = load_lists(write(tmp_path, {"consolidated.xml": UN_XML})).lists
    assert (un.name, un.published, un.skipped) == ("UN", date(2026, 3, 2), 1)
    [eric] = un.entries
    assert (eric.entry_id, eric.reference, eric.programs) == ("6908555", "CDi.001", ("DRC",))
    assert eric.names == (
        ListedName("ERIC BADEGE"),
        ListedName("BADEGE, Eric", "alias"),
        ListedName("Musa", "weak_alias"),
        ListedName("Eric Badeg", "previous_name"),
    )
    assert eric.birth_dates == (
        BirthDate.exact(date(1971, 5, 2)),
        BirthDate(1968, 1970),
        BirthDate(1973, 1974),
    )
    assert (eric.gender, eric.countries) == ("M", {"CD", "RW"})


# -- our CSV ---------------------------------------------------------------------------------------
def test_pep_and_internal_lists_follow_our_csv_format(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {
            "pep.csv": "name,entry_id,countries,birth_date,gender,position,aliases,extra\n"
            '"VEGA MENDOZA, Luis",PEP-1,EC;CO,1978-04-12;1978,M,Senator,Lucho Vega,ignored\n',
            "internal.csv": "entry_id,name,topics\nINT-1,Rosa Santos,\n"
            "INT-2,Ana Ríos,crime.fraud;internal.blacklist\n",
        },
    )
    pep, internal = load_lists(folder).lists
    [luis] = pep.entries
    assert luis.names == (ListedName("VEGA MENDOZA, Luis"), ListedName("Lucho Vega", "alias"))
    assert luis.countries == {"EC", "CO"}
    assert luis.birth_dates == (BirthDate.exact(date(1978, 4, 12)), BirthDate(1978, 1978))
    assert (luis.gender, luis.position, luis.topics) == ("M", "Senator", ("role.pep",))
    assert [e.topics for e in internal.entries] == [
        ("internal.blacklist",),
        ("crime.fraud", "internal.blacklist"),
    ]


def test_a_list_version_changes_with_any_of_its_files_and_only_its_own(tmp_path: Path) -> None:
    shutil.copytree(shipped_lists_dir(), tmp_path / "lists")
    before = {loaded.name: loaded.version for loaded in load_lists(tmp_path / "lists").lists}
    with (tmp_path / "lists" / "alt.csv").open("a", encoding="utf-8") as alt:
        alt.write('29001,999,"aka","PEREZ, Pepe",-0- \n')
    after = {loaded.name: loaded.version for loaded in load_lists(tmp_path / "lists").lists}
    assert after["OFAC-SDN"] != before["OFAC-SDN"]
    assert {k: v for k, v in after.items() if k != "OFAC-SDN"} == {
        k: v for k, v in before.items() if k != "OFAC-SDN"
    }


# -- broken directories and files ----------------------------------------------------------------
def test_a_missing_or_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ListLoadError, match="not a directory of lists"):
        load_lists(tmp_path / "nowhere")
    write(tmp_path / "empty", {"README.txt": "nothing here"})
    with pytest.raises(ListLoadError, match=r"no list files \(expected any of sdn.csv"):
        load_lists(tmp_path / "empty")


ONE = sdn_row(1, "A, B")
BROKEN_XML = "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n</CONSOLIDATED_LIST>"
NO_DATAID = (
    "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>\n"
    "</INDIVIDUALS></CONSOLIDATED_LIST>"
)
MALFORMED = [
    ({"sdn.csv": ONE + '2,"C, D","individual"\n'}, "sdn.csv line 2", "expected 12 fields, found 3"),
    ({"sdn.csv": ONE.replace("1,", "x1,", 1)}, "sdn.csv line 1", "ent_num 'x1' is not a number"),
    ({"sdn.csv": ONE * 2}, "sdn.csv line 2", "ent_num 1 appears twice"),
    ({"sdn.csv": ONE + '2,"unterminated\n'}, "sdn.csv line 2", "not valid CSV"),
    (
        {"sdn.csv": ONE, "alt.csv": '7,1,"aka","X, Y",-0- \n'},
        "alt.csv line 1",
        "ent_num 7 is not in sdn.csv",
    ),
    ({"sdn.csv": ONE, "add.csv": "1,1\n"}, "add.csv line 1", "expected 6 fields"),
    ({"consolidated.xml": BROKEN_XML}, "consolidated.xml line 4", "not well-formed XML"),
    (
        {"consolidated.xml": "<?xml version='1.0'?>\n<SANCTIONS/>"},
        "consolidated.xml line 2",
        "expected CONSOLIDATED_LIST, found SANCTIONS",
    ),
    ({"consolidated.xml": NO_DATAID}, "consolidated.xml line 2", "INDIVIDUAL without DATAID"),
    (
        {"consolidated.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<CONSOLIDATED_LIST/>'},
        "consolidated.xml line 1",
        "a DOCTYPE is not accepted",
    ),
    ({"pep.csv": "entry_id,countries\nP1,CO\n"}, "pep.csv line 1", "lacks the column(s) name"),
    (
        {"pep.csv": "entry_id,name,birth_date\nP1,Ana Ríos,1978-13-01\n"},
        "pep.csv line 2",
        "birth_date '1978-13-01' is not YYYY-MM-DD",
    ),
    (
        {"pep.csv": "entry_id,name,countries\nP1,Ana Ríos,CO;ZZ\n"},
        "pep.csv line 2",
        "unknown country code(s) ZZ",
    ),
    (
        {"internal.csv": "entry_id,name,gender\nI1,Ana Ríos,X\n"},
        "internal.csv line 2",
        "gender 'X' is not F, M or empty",
    ),
    (
        {"internal.csv": "entry_id,name\nI1,Ana Ríos\nI1,Rosa Luna\n"},
        "internal.csv line 3",
        "entry_id I1 appears twice",
    ),
    (
        {"internal.csv": "entry_id,name\nI1,Ana Ríos,extra\n"},
        "internal.csv line 2",
        "3 fields but the header names 2",
    ),
    ({"internal.csv": "entry_id,name\n,Ana Ríos\n"}, "internal.csv line 2", "entry_id is empty"),
]


@pytest.mark.parametrize(("files", "where", "problem"), MALFORMED)
def test_a_malformed_file_is_an_error_naming_the_file_and_the_line(
    tmp_path: Path, files: dict[str, str], where: str, problem: str
) -> None:
    folder = write(tmp_path, dict(files))
    with pytest.raises(ListFormatError) as raised:
        load_lists(folder)
    message = str(raised.value)
    assert f"{folder}/{where}:" in message
    assert problem in message


def test_shipped_names_fold_to_the_population_names() -> None:
    """The generator writes OFAC names without accents, the UN's with them: both fold alike."""
    population = default_population()
    lists = load_lists()
    by_id = {entry.entry_id: entry for entry in lists.entries()}
    for listed in population.listed[:40]:
        written = by_id[listed.entry_id].primary_name
        assert set(fold(written).replace(",", "").split()) == set(fold(listed.full_name).split())
