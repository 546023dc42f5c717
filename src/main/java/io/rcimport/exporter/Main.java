package io.rcimport.exporter; public class Main { public static void main(String[] a){} }
