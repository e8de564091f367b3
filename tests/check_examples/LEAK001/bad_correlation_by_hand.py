# %% [markdown]
# # Churn: features picked by hand from their correlation with the target over every row

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
corr = df.select_dtypes("number").corr()
print(corr["churned"].sort_values(ascending=False))

# %% [markdown]
# I will only keep the four features with the highest correlation to the target.

# %%
X = df[["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]].fillna(0)
y = df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
