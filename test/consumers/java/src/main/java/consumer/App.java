// The TypeScript app in ../typescript/app.ts, with the Java package.
package consumer;

import io.github.cdkrotatingsecrets.CronOptions;
import io.github.cdkrotatingsecrets.DatabaseEndpointOptions;
import io.github.cdkrotatingsecrets.DatabaseRotationOptions;
import io.github.cdkrotatingsecrets.DatabaseTarget;
import io.github.cdkrotatingsecrets.RotatingSecret;
import io.github.cdkrotatingsecrets.RotatingSecretProps;
import io.github.cdkrotatingsecrets.RotationStrategy;
import io.github.cdkrotatingsecrets.Schedule;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcProps;

public final class App {
    public static void main(final String[] args) {
        software.amazon.awscdk.App app = new software.amazon.awscdk.App();
        Stack stack = new Stack(app, "Consumer");
        Vpc vpc = new Vpc(stack, "Vpc", VpcProps.builder().maxAzs(2).build());
        new RotatingSecret(stack, "OrdersUser", RotatingSecretProps.builder()
                .schedule(Schedule.cron(CronOptions.builder().hour("3").weekDay("SUN").build()))
                .strategy(RotationStrategy.postgresSingleUser(DatabaseRotationOptions.builder()
                        .database(DatabaseTarget.fromEndpoint(DatabaseEndpointOptions.builder()
                                .host("orders.db.example.com").port(5432).build()))
                        .username("orders_app")
                        .vpc(vpc)
                        .build()))
                .build());
        app.synth();
    }
}
