"""The tensorkit lessons: notebooks, their exercise checks, and the tools that grade them."""
