FROM gradle:8-jdk17
WORKDIR /home/gradle/project
COPY build.gradle settings.gradle ./
COPY src ./src
RUN gradle --no-daemon jar
EXPOSE 8080
CMD ["java", "-jar", "/home/gradle/project/build/libs/greeter.jar"]
