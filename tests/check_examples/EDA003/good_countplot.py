# %%
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

df = pd.read_csv("data/train.csv")
sns.countplot(x="churned", data=df)
plt.title("Class balance")
