# %%
import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
plt.title("Tenure")
df["tenure_months"].hist()
plt.show()
# %%
for col in ["age", "monthly_charges"]:
    df[col].hist()
    plt.show()
