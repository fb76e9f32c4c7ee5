FROM eclipse-temurin:17-jdk
RUN apt-get update && apt-get install -y ant
WORKDIR /app
COPY build.xml ./
COPY src ./src
RUN ant jar
EXPOSE 8080
CMD ["java", "-jar", "/app/build/report.jar"]
