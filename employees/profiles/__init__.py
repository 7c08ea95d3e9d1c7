"""Connected social profiles: employees' own and the company's, on every network."""
