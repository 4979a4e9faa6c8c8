package it.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;

/** A Netty 4 HTTP server: codec, aggregator and a handler that does the request's work on the event loop. Prints "PORT n". */
public final class NettyApp {
    private NettyApp() {}

    public static void main(String[] args) throws Exception {
        @SuppressWarnings("deprecation")
        EventLoopGroup boss = new NioEventLoopGroup(1);
        @SuppressWarnings("deprecation")
        EventLoopGroup workers = new NioEventLoopGroup(8);
        Channel ch = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16), new TagHandler());
                    }
                }).bind(0).sync().channel();
        System.out.println("PORT " + ((InetSocketAddress) ch.localAddress()).getPort());
        ch.closeFuture().sync();
    }
}
