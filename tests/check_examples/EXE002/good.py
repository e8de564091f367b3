# %%
total = sum(range(1000))
print(total)
