setup(name="p", license="MIT")
