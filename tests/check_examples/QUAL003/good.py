# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges"]].fillna(0)
X_train, X_val, y_train, y_val = train_test_split(X, df["churned"], stratify=df["churned"], random_state=0)
# %%
def evaluate(model):
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_val)[:, 1]
    return roc_auc_score(y_val, proba)


models = {"logistic": LogisticRegression(max_iter=1000), "forest": RandomForestClassifier(random_state=0)}
pd.Series({name: evaluate(model) for name, model in models.items()}, name="ROC AUC")
