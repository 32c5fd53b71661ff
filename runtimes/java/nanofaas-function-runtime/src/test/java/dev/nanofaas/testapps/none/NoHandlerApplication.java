package dev.nanofaas.testapps.none;

import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class NoHandlerApplication {}
