"""Write side: the only code that writes the skills database."""
