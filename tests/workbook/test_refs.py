"""Formulas keep pointing at the same cells when columns are inserted or rows close up, as in Excel."""

import numpy as np

from tierbook.workbook.refs import RowMove, columns_inserted, refs, rows_moved, translated

CTS = ('IFERROR(INDEX(Summary!$K$5:$K$7,MATCH($Q2,Summary!$A$5:$A$7,0))+IF(Summary!$R$16="arr",N($T2),1),"")')


def test_copying_down_moves_relative_parts_only():
    assert translated(CTS, 3, 0) == CTS.replace("$Q2", "$Q5").replace("$T2", "$T5")
    assert translated("C2*2+$C$2+C$2+$C2", 1, 1) == "D3*2+$C$2+D$2+$C3"
    assert translated("A1", -1, 0) == "#REF!"


def test_text_names_functions_and_structured_references_are_not_references():
    formula = 'LOG10(A1)+COUNTIF(Tiers[Tier],"B2")&Accounts[[#This Row],[ARR]]+IFERROR(A1B,0)'
    assert [(r.c1, r.r1) for r in refs(formula)] == [(1, 1)]
    assert translated(formula, 1, 0) == formula.replace("LOG10(A1)", "LOG10(A2)")


def test_inserting_columns_moves_references_at_and_right_of_the_insert():
    f = "SUMIFS(Accounts!$T:$T,Accounts!$Q:$Q,$A5)+COUNTA(Accounts!A1:V9)+Accounts!M2"
    assert columns_inserted(f, "Summary", "Accounts", 14, 4) == (
        "SUMIFS(Accounts!$X:$X,Accounts!$U:$U,$A5)+COUNTA(Accounts!A1:Z9)+Accounts!M2")
    assert columns_inserted("$Q2*2+'Tier Rules'!Q2", "Accounts", "Accounts", 14, 4) == "$U2*2+'Tier Rules'!Q2"
    assert columns_inserted("Q2", "Summary", "Accounts", 14, 4) == "Q2"  # Summary's own cell


def test_rows_closing_up_follow_their_cells_and_deleted_cells_are_ref_errors():
    move = RowMove(2, np.array([0, 2, 0, 3, 4]), 1, 22)  # rows 2 and 4 deleted, 3 -> 2, 5 -> 3, 6 -> 4
    assert rows_moved("C3*2", "Accounts", "Accounts", move) == "C2*2"
    assert rows_moved("C2*2", "Accounts", "Accounts", move) == "#REF!*2"
    assert rows_moved("SUM(C2:C6)+SUM(C1:C9)", "Accounts", "Accounts", move) == "SUM(C2:C4)+SUM(C1:C9)"
    assert rows_moved("SUM(Accounts!C5:C6)", "Summary", "Accounts", move) == "SUM(Accounts!C3:C4)"
    assert rows_moved("$Q:$Q+X3", "Accounts", "Accounts", move) == "$Q:$Q+X3"  # whole columns; X is not moving
