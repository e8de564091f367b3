# %% [markdown]
# ## Model
#
# Here I split the data and train a random forest on it.
# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X_train, X_val, y_train, y_val = train_test_split(df[["tenure_months"]].fillna(0), df["churned"], random_state=0)
# %%
model = RandomForestClassifier(n_estimators=500, random_state=0)
model.fit(X_train, y_train)
