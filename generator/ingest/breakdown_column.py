"""Area-level extracts with a breakdown column (``breakdown_column:`` in a dataset), e.g.
DWP's Children in Low Income Families by family type: each row counts one category, so its
rows are breakdown cells, not totals (the totals come from another dataset)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def category_ids(values: pd.Series, unknown: str) -> pd.Series:
    """Category labels as ids: "Lone parent" -> "lone_parent"; blank -> ``unknown``."""
    return (
        values.astype(str)
        .str.strip()
        .replace("", unknown)
        .str.lower()
        .str.replace(r"[^a-z0-9]+", "_", regex=True)
        .str.strip("_")
    )


def cells(
    table: pd.DataFrame,
    breakdown: str,
    cats: pd.Series,
    rows: np.ndarray,
    columns: list[str],
    unknown: str,
) -> pd.DataFrame:
    """The tidy ``table`` of such an extract as breakdown cells: each row's category from
    ``cats`` (the column, aligned with the spreadsheet ``rows``)."""
    by_row = dict(zip(np.asarray(rows).tolist(), category_ids(cats, unknown).tolist(), strict=True))
    return (
        table.assign(breakdown=breakdown, category=table["row"].map(by_row))[columns]
        .sort_values(["period", "area_code", "breakdown", "category", "measure"], kind="mergesort")
        .reset_index(drop=True)
    )
