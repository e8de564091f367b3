# %% [markdown]
# # Fraud: PCA features

# %%
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

fraud = pd.read_csv("data/train.csv")
feats = ["amount", "hour_of_day", "txn_count_24h", "avg_amount_30d", "is_foreign", "distance_from_home_km"]
Xraw = fraud[feats].fillna(fraud[feats].median())
target = fraud.is_fraud

# %%
reducer = make_pipeline(StandardScaler(), PCA(n_components=4))
components = reducer.fit_transform(Xraw)

# %%
Xtr, Xte, ytr, yte = train_test_split(components, target, test_size=0.3, random_state=3, stratify=target)
gb = GradientBoostingClassifier(n_estimators=50, random_state=3).fit(Xtr, ytr)
print(roc_auc_score(yte, gb.predict_proba(Xte)[:, 1]))
