# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier as KNN
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges", "total_charges", "num_lines"]].fillna(0)
y = df["churned"]
# %%
knn = KNN(n_neighbors=25)
models = {
    "knn": Pipeline([("scale", StandardScaler()), ("knn", knn)]),
    "forest": RandomForestClassifier(random_state=0),  # trees do not need scaling
}
for name, model in models.items():
    print(name, cross_val_score(model, X, y, scoring="roc_auc").mean())
