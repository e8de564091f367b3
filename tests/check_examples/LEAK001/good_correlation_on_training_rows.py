# %% [markdown]
# # Churn: features picked from their correlation with the target on the training rows only

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
train, test = train_test_split(df, test_size=0.2, random_state=0, stratify=df["churned"])
corr = train.select_dtypes("number").corr()
print(corr["churned"].sort_values(ascending=False))

# %% [markdown]
# I will only keep the four features with the highest correlation to the target (on the training rows).
# The correlation between the features themselves is low, so no feature is dropped for collinearity.

# %%
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
model = LogisticRegression(max_iter=1000).fit(train[cols].fillna(0), train["churned"])
print("AUC", roc_auc_score(test["churned"], model.predict_proba(test[cols].fillna(0))[:, 1]))
