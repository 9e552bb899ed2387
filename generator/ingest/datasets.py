"""How to read one file a council supplies: its format, header, area, period and measure
columns. Part of council.yaml (``datasets:``); ``ingest/loaders.py`` reads files by it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from generator.ingest.models import Identifier, Strict


class ColumnIndex(Strict):
    """A column named by its position, for a header that is blank or repeated."""

    index: int = Field(ge=1, description="1-based position of the column (A = 1).")


class ColumnSum(Strict):
    """A measure that is the sum of several columns, e.g. single years of age."""

    sum: list[str | ColumnIndex] = Field(
        min_length=1,
        description="Columns (names or {index: n}) whose values are added up row by row. "
        "A withheld cell in any of them makes the sum a range.",
    )


#: How a measure names its column(s): a header name, {index: n} or {sum: [...]}.
ColumnRef = str | ColumnIndex | ColumnSum


def column_label(ref: ColumnRef) -> str:
    """A column reference as a person reads it in a message: 'Roll', 'column 5',
    'sum of 10 + 11'."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, ColumnIndex):
        return f"column {ref.index}"
    return "sum of " + " + ".join(column_label(part) for part in ref.sum)


def _parts(ref: ColumnRef) -> list[str | ColumnIndex]:
    return list(ref.sum) if isinstance(ref, ColumnSum) else [ref]  # type: ignore[list-item]


class RowFilter(Strict):
    """Keep only rows whose value in one column is one of some values."""

    values: list[str] = Field(
        min_length=1,
        description="Keep rows whose cell (spaces around it ignored) is one of these, "
        "e.g. [All] to keep the all-persons rows of a file split by sex.",
    )


class AreaColumn(Strict):
    """Which column holds the area each row is about."""

    column: str = Field(description="Column name, exactly as in the file's header row.")
    type: str = Field(
        default="datazone",
        description="What the column holds: the id of a level in the geography "
        "pack whose codes it contains (datazone, intermediate_zone, ward...), or "
        "'postcode' to assign rows to data zones through the config's "
        "postcode_lookup.",
    )
    by: Literal["code", "name"] = Field(
        default="code",
        description="'code' (S01012345) or 'name': the area's name as typed, matched to "
        "the pack's names ignoring case, spaces, punctuation, '&'/'and' and 'St'/'Saint'. "
        "A name that still does not match is reported with the closest names, never "
        "guessed; settle it with 'aliases'.",
    )
    aliases: dict[str, str | None] = Field(
        default_factory=dict,
        description="by: name only. Name as typed -> the pack's name for it, or null for "
        "rows that belong to no area ('Not known'): those are counted as unplaced, without "
        "a warning.",
    )

    @model_validator(mode="after")
    def _aliases_need_names(self) -> AreaColumn:
        if self.aliases and self.by != "name":
            raise ValueError("'aliases' apply to 'by: name' only")
        if self.by == "name" and self.type == "postcode":
            raise ValueError("a postcode column is matched by code, not 'by: name'")
        return self


#: Period formats that are already a year.
YEAR_FORMATS = ("financial_year", "school_year")
#: Period formats finer than a year: ``to`` and ``aggregate`` say how they make one.
SUB_YEAR_FORMATS = ("financial_quarter", "%b-%y", "%Y-%m")


class PeriodColumn(Strict):
    """Where each row's period (year) comes from: a column, or one fixed value."""

    column: str | None = Field(default=None, description="Column holding the period.")
    value: str | None = Field(
        default=None, description="Fixed period for every row, e.g. '2024/25'."
    )
    map: dict[str, str] = Field(
        default_factory=dict,
        description="Rename periods as read, e.g. {'2024': '2024/25'}, "
        "so datasets on different calendars line up. Two labels mapped to one period "
        "are a duplicate, reported row by row; to combine months or quarters, use "
        "'format', 'to' and 'aggregate'.",
    )
    format: (
        Literal["financial_year", "school_year", "financial_quarter", "%b-%y", "%Y-%m"] | None
    ) = Field(
        default=None,
        description="How the column writes periods: financial_year or school_year "
        "('2023/24', also '2023-24' or '2023/2024'), financial_quarter ('2023/24 Q1'), "
        "'%b-%y' (months as 'Apr-23') or '%Y-%m' ('2023-04'). A cell that does not fit "
        "is reported and its row left out.",
    )
    to: Literal["financial_year"] | None = Field(
        default=None,
        description="Combine months or quarters into financial years (April to March), "
        "as 'aggregate' says. A year with months or quarters missing is warned as "
        "incomplete.",
    )
    aggregate: Literal["sum", "last", "mean"] | None = Field(
        default=None,
        description="How months or quarters make a year: 'sum' for flows (referrals, "
        "contacts), 'last' for a stock (a caseload snapshot: the latest month of the "
        "year), 'mean' for the average stock over the months given.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> PeriodColumn:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        if self.format is not None and self.column is None:
            raise ValueError("'format' applies to a period column")
        if self.to is not None and self.format not in SUB_YEAR_FORMATS:
            raise ValueError(
                "'to' combines months or quarters: give format "
                + " or ".join(repr(f) for f in SUB_YEAR_FORMATS)
            )
        if (self.to is None) != (self.aggregate is None):
            raise ValueError(
                "give 'to' and 'aggregate' together: aggregate says how months or "
                "quarters make a year (sum, last or mean)"
            )
        return self


class KeyColumn(Strict):
    """The column that identifies a household or child in a record-level dataset."""

    column: str = Field(
        description="Column holding the key, e.g. a claim or household "
        "reference shared across the council's systems. Pseudonymised with "
        "HMAC-SHA256 as it is read; the raw value never leaves the loader."
    )


class BreakdownColumn(Strict):
    """The column of an area-level extract that says which breakdown category a row counts
    (e.g. DWP's Children in Low Income Families by family type)."""

    id: Identifier = Field(description="The breakdown's id, e.g. family_type.")
    column: str = Field(description="Column holding each row's category, e.g. 'Family type'.")


class Dataset(Strict):
    """One file the council exports, and how its columns map to catalogue measures."""

    id: Identifier = Field(description="Short id for this dataset, used in messages.")
    title: str = Field(description="What the dataset is, for the about and quality pages.")
    source: str = Field(default="", description="System or publisher it comes from.")
    file: str = Field(description="Path of the file, relative to the data folder.")
    format: Literal["csv", "xlsx"] | None = Field(
        default=None, description="File format; by default taken from the file extension."
    )
    sheet: str | None = Field(
        default=None, description="Worksheet name (xlsx only); default the first."
    )
    header_row: int = Field(
        default=1,
        ge=1,
        le=1_048_576,  # the most rows a worksheet can have
        description="1-based row holding the column names; rows above "
        "it (titles, notes) are skipped.",
    )
    header_rows: list[int] | None = Field(
        default=None,
        min_length=1,
        description="Instead of header_row, for a header over several rows: their 1-based "
        "numbers, top first and consecutive, e.g. [4, 5]. Each column's name is its cells "
        "joined with a space ('P6-P7 Roll'); a blank cell in an upper row takes the name "
        "on its left, as a merged cell reads. Names that repeat are refused where used; "
        "name such a column by position, {index: n}.",
    )
    where: dict[str, RowFilter] = Field(
        default_factory=dict,
        description="Row filters applied before anything else: column -> {values: [...]}, "
        "e.g. {sex: {values: [All]}}. Rows left out are counted in the data report.",
    )
    encoding: Literal["auto", "utf-8", "utf-8-sig", "cp1252"] = Field(
        default="auto",
        description="Text encoding (csv only). 'auto' tries UTF-8 (with or "
        "without BOM), then Windows cp1252.",
    )
    area: AreaColumn = Field(description="The column that says which area a row is about.")
    period: PeriodColumn = Field(description="The period each row refers to.")
    measures: dict[Identifier, ColumnRef] = Field(
        default_factory=dict,
        description="Catalogue measure id -> the column holding its values: a header name, "
        "{index: n} (1-based position) or {sum: [columns]}. Required unless the dataset is "
        "record_level.",
    )
    record_level: bool = Field(
        default=False,
        description="True when the file has one row per household or child "
        "(not per area). Rows are pseudonymised, counted per area and period in memory, and "
        "never reach the output.",
    )
    key: KeyColumn | None = Field(
        default=None,
        description="Record-level only: the column identifying each household, "
        "used to count each once and to match households across datasets.",
    )
    count_as: Identifier | None = Field(
        default=None,
        description="Record-level only: the catalogue measure that counts the "
        "rows (households), e.g. ctr_households_in_extract. Leave it out for a dataset used "
        "only to match against (e.g. grant recipients).",
    )
    attributes: dict[Identifier, str] = Field(
        default_factory=dict,
        description="Record-level only: attribute name -> column, e.g. "
        "{school_age_children: 'Children 5-15', family_type: 'Family type', tenure: Tenure}. "
        "Attributes can filter matches and become breakdowns.",
    )
    breakdowns: list[Identifier] = Field(
        default_factory=list,
        description="Record-level only: attributes whose values become "
        "breakdown categories of the counted measure (blank values count as 'unknown').",
    )
    breakdown_column: BreakdownColumn | None = Field(
        default=None,
        description="Area-level only: every row counts one category of this breakdown "
        "(e.g. {id: family_type, column: Family type}); the totals of the same measures come "
        "from another dataset, and the categories of an area should add up to its total. "
        "An uptake indicator is split only when its receipt and its need both are.",
    )
    identifiers: list[str] = Field(
        default_factory=list,
        description="Record-level only: columns that identify a person "
        "or household (name, address, postcode). They are never read into the tidy table; "
        "their values are held in memory so that the leak tripwire can prove none reaches "
        "the site.",
    )
    licence: str = Field(
        default="",
        max_length=200,
        description="The licence the data are published under, e.g. 'Open Government "
        "Licence v3.0'; shown on the about page.",
    )
    attribution: str = Field(
        default="",
        max_length=1000,
        description="The attribution the licence asks for, e.g. 'Contains public sector "
        "information licensed under the Open Government Licence v3.0. © Crown copyright.'; "
        "shown in every page's footer and on the about page.",
    )
    national: bool = Field(
        default=False,
        description="True for a national file (SIMD, CiLIF, population "
        "estimates, UC): rows for other councils' areas are left out quietly, through the "
        "geography pack's national code list. Codes unknown nationally are still reported.",
    )
    only_periods: list[str] = Field(
        default_factory=list,
        description="Keep only these periods (after 'period.map'), "
        "e.g. one month a year from a monthly DWP series; empty keeps every period.",
    )
    missing_values: list[str] = Field(
        default_factory=lambda: [""],
        description="Cell values that mean 'no data' (read as missing, not as an error), "
        "e.g. ['', 'n/a']. For a count the source withheld because it is small ('*', 'c', "
        "'<5'), use suppressed_values: such a cell is not missing, and never zero.",
    )
    suppressed_values: list[str] = Field(
        default_factory=list,
        description="Markers the source puts in place of a count it withheld because it is "
        "small, e.g. ['*', 'c', '..', '<5'] (matched ignoring case and surrounding spaces). "
        "Such a cell is censored: it is known only to lie in suppressed_range. It is never "
        "read as 0 or left out of a sum: totals that include it carry bounds, and an area "
        "whose count is censored is never flagged on it.",
    )
    suppressed_range: tuple[int, int] | None = Field(
        default=None,
        description="The range a suppressed_values cell lies in, as [low, high]. Default: "
        "1 to the council's disclosure threshold minus 1 (e.g. [1, 4]).",
    )

    @model_validator(mode="after")
    def _record_level(self) -> Dataset:
        if self.header_rows is not None:
            rows = self.header_rows
            if rows != list(range(rows[0], rows[0] + len(rows))) or rows[0] < 1:
                raise ValueError("header_rows must be consecutive row numbers, top first")
            if "header_row" in self.model_fields_set:
                raise ValueError("give header_row or header_rows, not both")
        if self.record_level:
            if self.key is None:
                raise ValueError(
                    "a record_level dataset needs 'key: {column: ...}', the "
                    "column identifying each household"
                )
            if self.count_as is None and self.breakdowns:
                raise ValueError("breakdowns need 'count_as', the measure they break down")
            unknown = [b for b in self.breakdowns if b not in self.attributes]
            if unknown:
                raise ValueError("breakdowns must name attributes: " + ", ".join(unknown))
            if self.breakdown_column is not None:
                raise ValueError("breakdown_column is for area-level datasets; use breakdowns")
        elif not self.measures:
            raise ValueError("give 'measures' (measure id -> column), or set record_level")
        elif self.key or self.count_as or self.attributes or self.breakdowns:
            raise ValueError(
                "key, count_as, attributes and breakdowns apply to record_level datasets only"
            )
        return self

    @property
    def header(self) -> list[int]:
        """The 1-based header row numbers (one unless header_rows gives several)."""
        return self.header_rows or [self.header_row]

    @property
    def first_data_row(self) -> int:
        """The 1-based row number of the first data row, below the header."""
        return self.header[-1] + 1

    @property
    def used_columns(self) -> set[str]:
        """Every column the dataset reads, as messages name them ('column 5' by position)."""
        refs: list[ColumnRef] = [self.area.column, *self.where, *self.attributes.values()]
        refs += [*self.identifiers, *(p for r in self.measures.values() for p in _parts(r))]
        if self.period.column is not None:
            refs.append(self.period.column)
        if self.key is not None:
            refs.append(self.key.column)
        return {column_label(r) for r in refs}

    def measure_label(self, measure: str) -> str:
        """The column a measure comes from, for messages ('Roll', 'column 5')."""
        ref = self.measures.get(measure)
        return measure if ref is None else column_label(ref)

    @property
    def counted_measures(self) -> list[str]:
        """The measures this dataset provides."""
        if self.record_level:
            return [self.count_as] if self.count_as else []
        return list(self.measures)

    @property
    def file_format(self) -> str:
        """The format given, or the one the file extension implies."""
        return self.format or ("xlsx" if self.file.lower().endswith(".xlsx") else "csv")


class PostcodeLookup(Strict):
    """A postcode to data zone lookup, such as the Scottish Postcode Directory's."""

    file: str = Field(description="CSV file, relative to the data folder.")
    postcode_column: str = Field(default="Postcode", description="Column holding the postcode.")
    area_column: str = Field(
        default="DataZone2011", description="Column holding the postcode's data zone code."
    )
