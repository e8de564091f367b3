# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

TARGET = "churned"
df = pd.read_csv("data/train.csv")
# %%
numeric = df.select_dtypes("number")
sns.heatmap(numeric.corr(), cmap="coolwarm", center=0)
plt.title("Correlations")
plt.show()
# %%
df.groupby("contract_type")[TARGET].mean().sort_values()
