"""Read side: metrics computed in DuckDB SQL from the aggregate tables, minimum group size applied.

Nothing here imports Streamlit; pages call these functions and draw what they return.
"""
