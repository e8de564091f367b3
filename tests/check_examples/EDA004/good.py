# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

df = pd.read_csv("data/train.csv")
# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, col in zip(axes, ["tenure_months", "monthly_charges"]):
    sns.histplot(data=df, x=col, ax=ax)
    ax.set_title(col)
plt.show()
# %%
sns.boxplot(data=df, x="contract_type", y="monthly_charges")
plt.title("Monthly charges by contract")
plt.show()
