"""Lexicon files: the county-level divisions, contextual aliases, and the generator that writes
``ontology/lexicon/counties.tsv`` (run here on small tables made for the tests)."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from kg.errors import LexiconError
from kg.lexicon import load_lexicon

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
GENERATOR = ONTOLOGY / "lexicon" / "tools" / "make_counties.py"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(ONTOLOGY)


def _generator():
    spec = importlib.util.spec_from_file_location("make_counties", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_county_level_division_has_a_code_and_its_parent(lexicon):
    counties = [e for e in lexicon.entries if e.cls == "County"]
    assert len(counties) >= 2800  # 2,843 county-level divisions at the end of 2022
    codes = [c for e in counties for c in e.codes]
    assert len(codes) == len(set(codes)) == len(counties)
    for e in counties:
        (code,) = e.codes
        parent = lexicon.by_canonical[e.parent]
        assert parent.cls in ("City", "Province"), e
        assert parent.codes[0] in (code[:4] + "00", code[:2] + "0000"), e


@pytest.mark.parametrize("name, canonicals", [
    ("朝阳区", ("北京市朝阳区", "长春市朝阳区")),
    ("通州区", ("北京市通州区", "南通市通州区")),
    ("长沙县", ("长沙市长沙县",)),  # named after its prefecture: 长沙县城 must stay 长沙|县城
])
def test_shared_and_risky_names_are_contextual_only(lexicon, name, canonicals):
    assert name not in lexicon.surfaces
    assert lexicon.contextual[name] == canonicals
    assert name not in lexicon.user_dictionary()


@pytest.mark.parametrize("name", ["城区", "郊区", "矿区", "解放区", "和县"])
def test_ordinary_words_never_name_a_county_alone(lexicon, name):
    assert name not in lexicon.surfaces and name not in lexicon.contextual


def test_unique_county_names_match_alone(lexicon):
    assert lexicon.surfaces["萧山区"] == "萧山区"
    assert lexicon.by_canonical["萧山区"].parent == "杭州市"


def _ontology_with(tmp_path, rows):
    root = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, root)
    extra = root / "lexicon" / "extra.tsv"
    extra.write_text("canonical\tclass\taliases\tcodes\tparent\n" + rows, encoding="utf-8")
    return root


def test_contextual_alias_needs_a_parent(tmp_path):
    root = _ontology_with(tmp_path, "样例新区\tEconomicZone\t~新区\t\t\n")
    with pytest.raises(LexiconError, match=r"extra\.tsv:2: .*no parent"):
        load_lexicon(root)


def test_contextual_alias_may_not_be_a_plain_name(tmp_path):
    root = _ontology_with(tmp_path, "样例区\tCounty\t~上海\t\t上海市\n")
    with pytest.raises(LexiconError, match=r"extra\.tsv:2: contextual alias ~上海 .*'上海市'"):
        load_lexicon(root)


def test_contextual_alias_is_no_alias_of_the_entry(tmp_path):
    root = _ontology_with(tmp_path, "上海市样例区\tCounty\t上海样例区|~样例区\t\t上海市\n")
    lex = load_lexicon(root)
    assert lex.by_canonical["上海市样例区"].aliases == ("上海样例区",)
    assert lex.contextual["样例区"] == ("上海市样例区",)


# -- the generator, on a made-up division table --------------------------------------------

REGIONS = """canonical\tclass\taliases\tcodes\tparent
中国\tCountry\t\t\t
甲省\tProvince\t甲\t910000\t中国
乙市\tCity\t乙\t910100\t甲省
丙市\tCity\t\t910200\t甲省
江口市\tCounty\t江口\t910181\t乙市
"""

DIVISIONS = """910101\t东山区
910102\t西河区
910181\t江口市
910201\t东山区
910202\t乙县
910203\t城区
910204\t和县
910205\t平安区
919001\t直辖市
"""

WORDS = "城区 1500 n\n平安 1400 a\n和 500000 c\n"


def _generate(tmp_path, divisions=DIVISIONS):
    for name, text in (("regions.tsv", REGIONS), ("divisions.txt", divisions), ("words.txt", WORDS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "counties.tsv"
    code = _generator().main([str(tmp_path / "divisions.txt"), "--regions", str(tmp_path / "regions.tsv"),
                              "--words", str(tmp_path / "words.txt"), "-o", str(out)])
    assert code == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert rows[0] == ["canonical", "class", "aliases", "codes", "parent"]
    return {r[3]: (r[0], r[2], r[4]) for r in rows[1:]}


def test_generator_applies_the_naming_rules(tmp_path):
    rows = _generate(tmp_path)
    assert rows["910102"] == ("西河区", "", "乙市")  # held by one division: its own name
    assert rows["910101"] == ("乙市东山区", "乙东山区|~东山区", "乙市")  # shared: qualified, contextual
    assert rows["910201"] == ("丙市东山区", "~东山区", "丙市")
    assert rows["910202"] == ("丙市乙县", "~乙县", "丙市")  # a one-character stem
    assert rows["910203"] == ("丙市城区", "", "丙市")  # an ordinary word: never alone
    assert rows["910204"] == ("丙市和县", "", "丙市")  # a conjunction as its stem
    assert rows["910205"] == ("丙市平安区", "~平安区", "丙市")  # an ordinary word as its stem
    assert rows["919001"] == ("直辖市", "", "甲省")  # no prefecture 919000: the province is the parent
    assert "910181" not in rows  # the regions file lists it already


def test_generated_rows_load(tmp_path):
    rows = _generate(tmp_path)
    root = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, root)
    for f in (root / "lexicon").glob("*.tsv"):
        if f.name != "posts.tsv":
            f.unlink()
    shutil.copy(tmp_path / "regions.tsv", root / "lexicon" / "regions.tsv")
    shutil.copy(tmp_path / "counties.tsv", root / "lexicon" / "counties.tsv")
    (root / "lexicon" / "posts.tsv").write_text("title\trank\torganisation\n", encoding="utf-8")
    lex = load_lexicon(root)
    assert lex.contextual["东山区"] == ("丙市东山区", "乙市东山区")
    assert {e.canonical for e in lex.entries if e.cls == "County"} >= {r[0] for r in rows.values()}


def test_generator_reads_the_packaged_python_table(tmp_path):
    source = "# data.py\nDIVISION_DATA = {\n" + "".join(
        f'"{code}": "{name}",\n' for code, name in (line.split("\t") for line in DIVISIONS.splitlines())) + "}\n"
    (tmp_path / "data.py").write_text(source, encoding="utf-8")
    assert [d.code for d in _generator().read_divisions(tmp_path / "data.py")][:3] == ["910101", "910102", "910181"]


def test_generator_refuses_a_division_without_a_known_parent(tmp_path):
    with pytest.raises(SystemExit, match="920101"):
        _generate(tmp_path, DIVISIONS + "920101\t远方区\n")
