FROM maven:3-eclipse-temurin-17
WORKDIR /usr/src/app
COPY pom.xml .
COPY src ./src
RUN mvn -B package -DskipTests
CMD ["java", "-jar", "target/greeter.jar"]
