# %% [markdown]
# # Glass types: support vector machines

# %%
import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

df = pd.read_csv("data/glass.csv")
X = df.drop(columns=["Type"])
y = df["Type"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

# %% [markdown]
# A linear kernel first.

# %%
linear = SVC(kernel="linear").fit(X_train, y_train)
print("linear:", accuracy_score(y_test, linear.predict(X_test)))

# %%
rbf = SVC(kernel="rbf", C=1).fit(X_train, y_train)
print("rbf C=1:", accuracy_score(y_test, rbf.predict(X_test)))

# %%
rbf10 = SVC(kernel="rbf", C=10).fit(X_train, y_train)
print("rbf C=10:", accuracy_score(y_test, rbf10.predict(X_test)))

# %%
poly = SVC(kernel="poly", degree=3).fit(X_train, y_train)
print("poly:", accuracy_score(y_test, poly.predict(X_test)))
