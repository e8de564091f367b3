# %%
import matplotlib.pyplot as plt
import pandas as pd

df = pd.read_csv("data/train.csv")


def plot_distribution(frame: pd.DataFrame, column: str) -> None:
    ax = frame[column].plot.hist(bins=30)
    ax.set_title(f"Distribution of {column}")
    ax.set_xlabel(column)
    plt.show()


# %%
plot_distribution(df, "tenure_months")
# %%
df.plot(kind="scatter", x="tenure_months", y="total_charges", title="Total charges grow with tenure")
