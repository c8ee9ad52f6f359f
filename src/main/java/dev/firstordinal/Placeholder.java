package dev.firstordinal;
class Placeholder {}
