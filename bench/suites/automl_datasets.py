"""Writes scikit-learn's bundled real datasets as CSV train/test files (stratified 75/25 split, fixed seed)
and runs scikit-learn's baseline: the four families tuned by grid search with 5-fold CV on train, the best
one scored on test. Prints one JSON document."""
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
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

out_dir, budget = sys.argv[1], float(sys.argv[2])
SETS = {
    "breast_cancer": (datasets.load_breast_cancer, "binary", "auc"),
    "wine": (datasets.load_wine, "multiclass", "logloss"),
    "digits": (datasets.load_digits, "multiclass", "logloss"),
    "diabetes": (datasets.load_diabetes, "regression", "rmse"),
}


def grids(task):
    cls = task != "regression"
    return [
        (DecisionTreeClassifier(random_state=0) if cls else DecisionTreeRegressor(random_state=0),
         {"max_depth": [3, 5, 8, 12, None], "min_samples_leaf": [1, 5, 20]}),
        (RandomForestClassifier(random_state=0, n_jobs=2) if cls else RandomForestRegressor(random_state=0, n_jobs=2),
         {"n_estimators": [100, 300], "max_features": ["sqrt", 0.5], "min_samples_leaf": [1, 5]}),
        (make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)) if cls else make_pipeline(StandardScaler(), Ridge()),
         {("logisticregression__C" if cls else "ridge__alpha"): [0.01, 0.1, 1, 10, 100]}),
        (make_pipeline(StandardScaler(), MLPClassifier(max_iter=300, early_stopping=True, random_state=0) if cls else MLPRegressor(max_iter=300, early_stopping=True, random_state=0)),
         {("mlpclassifier__" if cls else "mlpregressor__") + "hidden_layer_sizes": [(64,), (64, 64)], ("mlpclassifier__" if cls else "mlpregressor__") + "alpha": [1e-4, 1e-2]}),
    ]


def score(metric, model, X, y):
    if metric == "auc":
        return roc_auc_score(y, model.predict_proba(X)[:, 1])
    if metric == "logloss":
        return log_loss(y, model.predict_proba(X), labels=model.classes_)
    return mean_squared_error(y, model.predict(X)) ** 0.5


results = []
for name, (loader, task, metric) in SETS.items():
    data = loader()
    X, y = data.data, data.target
    strat = y if task != "regression" else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)
    cols = [f"f{i}" for i in range(X.shape[1])]
    for part, (A, b) in {"train": (Xtr, ytr), "test": (Xte, yte)}.items():
        with open(os.path.join(out_dir, f"{name}-{part}.csv"), "w") as f:
            f.write(",".join(cols + ["target"]) + "\n")
            for row, t in zip(A, b):
                label = f"c{int(t)}" if task != "regression" else repr(float(t))
                f.write(",".join(repr(float(v)) for v in row) + "," + label + "\n")
    t0 = time.perf_counter()
    scoring = {"auc": "roc_auc", "logloss": "neg_log_loss", "rmse": "neg_root_mean_squared_error"}[metric]
    best, best_cv = None, -np.inf
    for model, grid in grids(task):
        search = GridSearchCV(model, grid, cv=5, scoring=scoring, n_jobs=2).fit(Xtr, ytr)
        if search.best_score_ > best_cv:
            best, best_cv = search.best_estimator_, search.best_score_
    seconds = time.perf_counter() - t0
    results.append({"dataset": name, "task": task, "metric": metric, "rows": int(len(y)), "cols": int(X.shape[1]),
                    "sklearnTest": float(score(metric, best, Xte, yte)), "sklearnBest": type(best).__name__ if not hasattr(best, "steps") else type(best.steps[-1][1]).__name__,
                    "sklearnSeconds": seconds})
print(json.dumps(results))
