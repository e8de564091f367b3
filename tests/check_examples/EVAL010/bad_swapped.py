# %% [markdown]
# # Obesity levels: a support vector classifier

# %%
import pandas as pd
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

df = pd.read_csv("data/obesity.csv")
X = df[["Age", "Height", "Weight", "FAF"]]
y = df["NObeyesdad"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
svc = SVC().fit(X_train, y_train)
y_pred = svc.predict(X_test)
print(accuracy_score(y_pred, y_test))
print(classification_report(y_pred, y_test))
