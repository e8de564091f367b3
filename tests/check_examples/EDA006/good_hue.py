# %%
import pandas as pd
import seaborn as sns

df = pd.read_csv("data/train.csv")
corr = df[["tenure_months", "monthly_charges", "churned"]].corr()
corr["churned"]
# %%
sns.kdeplot(data=df, x="tenure_months", hue="churned", common_norm=False)
