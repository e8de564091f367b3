# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges", "age"]]
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# %%
scaler = StandardScaler()
model = make_pipeline(SimpleImputer(strategy="median"), scaler, LogisticRegression())
model.fit(X_train, y_train)
