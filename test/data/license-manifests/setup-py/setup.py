from setuptools import setup

setup(
    name="pypkg",
    version="0.3",
    license="MIT",
    classifiers=["License :: OSI Approved :: MIT License"],
)
