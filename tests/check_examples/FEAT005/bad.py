# %%
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
X = df[["tenure_months", "monthly_charges", "age"]]
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# %%
imputer = SimpleImputer(strategy="median")
scaler = StandardScaler()
X_train_s = scaler.fit_transform(imputer.fit_transform(X_train))
X_test_s = scaler.transform(imputer.transform(X_test))
model = LogisticRegression().fit(X_train_s, y_train)
