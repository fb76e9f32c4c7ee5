ARG BASE=alpine
# expect: IS401
FROM ubuntu AS a
# expect: IS401
FROM node:latest AS b
FROM python:3.11-slim AS c
FROM python@sha256:1f0b3a0c9e05e1e8ab9ad4d22b3f3f8d3bbbd9f9bbd4d8d3b0b7f0c1f2a3b4c5 AS d
FROM a
FROM scratch
# expect: IS401
FROM ${BASE}
