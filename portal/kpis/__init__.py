"""Service KPIs ("Výkonnost služeb"): each figure one SQL statement over the whole period, and their charts."""
